package dev.herald.bench.spring;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * What a Spring team writes today, as the tutorials show it (shared/anchors.md, "What a Java team
 * writes today"): one {@code SseEmitter} per subscriber in a {@code CopyOnWriteArrayList}, and the
 * publish request loops over them. No history: a client that reconnects gets what is published
 * after it came back, and nothing of what it missed.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class EmitterHub {
  private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();

  @GetMapping("/emitter/events")
  SseEmitter subscribe() {
    SseEmitter emitter = new SseEmitter(0L); // no timeout: a stream stays open
    emitters.add(emitter);
    emitter.onCompletion(() -> emitters.remove(emitter));
    emitter.onTimeout(() -> emitters.remove(emitter));
    emitter.onError(e -> emitters.remove(emitter));
    // A first frame, as tutorials send one ("connected") and as Herald's streams open with their
    // retry: hint. Without it Spring writes nothing, not even the response head, until the first
    // publish, and neither a browser nor the load tool sees the stream open.
    try {
      emitter.send(SseEmitter.event().reconnectTime(3000));
    } catch (IOException e) {
      emitters.remove(emitter);
    }
    return emitter;
  }

  @PostMapping("/emitter/publish")
  String publish(@RequestBody String data) {
    String id = Long.toString(ids.incrementAndGet());
    for (SseEmitter emitter : emitters) {
      try {
        emitter.send(SseEmitter.event().id(id).data(data));
      } catch (IOException e) {
        emitters.remove(emitter);
      }
    }
    return id;
  }
}
