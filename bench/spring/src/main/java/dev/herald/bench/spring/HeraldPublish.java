package dev.herald.bench.spring;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import java.util.concurrent.CompletionStage;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The same publish with Herald's starter ({@code /publish?topic=T}, the body is the data), on MVC
 * and WebFlux alike; subscribers use the starter's {@code /events?topic=T}. The answer is the
 * event's id, once the broker's log has the event, as a hub acknowledges.
 */
@RestController
class HeraldPublish {
  private final Broker broker;

  HeraldPublish(Broker broker) {
    this.broker = broker;
  }

  @PostMapping("/publish")
  CompletionStage<String> publish(@RequestParam("topic") String topic, @RequestBody String data) {
    return broker.publish(topic, Event.of(data));
  }
}
