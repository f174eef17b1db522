package dev.herald.examples.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The chat of an SSE tutorial, written with Herald's Spring Boot starter: announcements broadcast
 * as named events to every open page ({@code /events?topic=announcements}), and a reply streamed
 * token by token from {@code GET /api/send?message=...}, which a reloaded page resumes with
 * nothing lost or repeated. Run it with {@code examples/spring-chat/run}, then open
 * http://localhost:8080/.
 */
@SpringBootApplication
public class ChatApplication {
  public static void main(String[] args) {
    SpringApplication.run(ChatApplication.class, args);
  }
}
