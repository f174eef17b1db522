package dev.herald.examples.chat;

import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/announce?text=...}: one named {@code announcement} event to every page that
 * follows topic {@code announcements}. The whole broadcast is one line: the broker encodes the
 * event once and every open stream gets the same bytes.
 */
@RestController
class Announcements {
  static final String TOPIC = "announcements";
  static final int MAX_TEXT_CHARS = 500;

  private final Broker broker;

  Announcements(Broker broker) {
    this.broker = broker;
  }

  @PostMapping("/api/announce")
  CompletionStage<ResponseEntity<Map<String, String>>> announce(@RequestParam("text") String text) {
    if (text.isBlank() || text.length() > MAX_TEXT_CHARS) {
      return CompletableFuture.completedFuture(ResponseEntity.badRequest()
          .body(Map.of("error", "text must be 1 to " + MAX_TEXT_CHARS + " characters")));
    }
    return broker.publish(TOPIC, Event.named("announcement", Json.object("text", text)))
        .thenApply(id -> ResponseEntity.ok(Map.of("id", id)));
  }
}
