package com.example.news;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import java.util.concurrent.CompletionStage;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The README's ten lines: publish from a controller; the starter serves /events on this port. */
@SpringBootApplication
@RestController
public class NewsApp {
  private final Broker broker;

  NewsApp(Broker broker) {
    this.broker = broker;
  }

  @PostMapping("/news")
  CompletionStage<String> publish(@RequestParam("title") String title) {
    return broker.publish("news", Event.named("headline", title)); // answers with the event's id
  }

  public static void main(String[] args) {
    SpringApplication.run(NewsApp.class, args);
  }
}
