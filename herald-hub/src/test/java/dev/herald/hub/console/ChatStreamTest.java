package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.EventStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/send} over HTTP on a real hub: the reply streams, ends with done, and resumes. */
class ChatStreamTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private GatedResponder responder;
  private InProcessHub hub;

  @BeforeEach
  void start() throws Exception {
    responder = new GatedResponder();
    hub = InProcessHub.start(responder, true);
  }

  @AfterEach
  void stop() throws Exception {
    hub.close();
  }

  private String send(String reply, String message) {
    return hub.base + "/api/send?reply=" + reply
        + (message == null ? "" : "&message=" + URLEncoder.encode(message, StandardCharsets.UTF_8))
        + "&lastEventID=earliest";
  }

  static String token(EventStreamReader.Received e) throws Exception {
    assertThat(e.type()).isEqualTo("message");
    return JSON.readTree(e.data()).get("token").asText();
  }

  @Test
  void aMessageStartsAReplyThatStreamsTokenByTokenAndEndsWithDone() throws Exception {
    String reply = UUID.randomUUID().toString();
    responder.open();
    try (EventStreamReader s = EventStreamReader.open(send(reply, "Hi there"), null)) {
      EventStreamReader.Received prompt = s.take();
      assertThat(prompt.type()).isEqualTo("prompt");
      assertThat(prompt.data()).isEqualTo("{\"message\":\"Hi there\"}");
      StringBuilder text = new StringBuilder();
      EventStreamReader.Received e;
      while (!(e = s.take()).type().equals("done")) text.append(token(e));
      assertThat(e.data()).isEqualTo("{\"finish\":\"stop\"}");
      assertThat(text.toString()).isEqualTo(OfflineResponder.reply("Hi there"));
      assertThat(s.response.headers().firstValue("content-type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/event-stream"));
    }
  }

  @Test
  void aReconnectWithLastEventIdResumesWithNothingLostOrRepeatedAndNeverRestartsTheReply() throws Exception {
    String reply = UUID.randomUUID().toString();
    StringBuilder text = new StringBuilder();
    String lastId = null;
    try (EventStreamReader first = EventStreamReader.open(send(reply, "resume me"), null)) {
      assertThat(first.take().type()).isEqualTo("prompt");
      // The responder holds the rest of the reply until released: the cut is mid-reply by construction.
      for (int i = 0; i < GatedResponder.BEFORE_GATE; i++) {
        EventStreamReader.Received e = first.take();
        text.append(token(e));
        lastId = e.id();
      }
      await().atMost(Duration.ofSeconds(30)).until(responder::waiting);
    }
    responder.open();
    try (EventStreamReader resumed = EventStreamReader.open(send(reply, "resume me"), lastId)) {
      EventStreamReader.Received e;
      while (!(e = resumed.take()).type().equals("done")) text.append(token(e));
      assertThat(text.toString()).isEqualTo(OfflineResponder.reply("resume me"));
    }
    assertThat(responder.started()).isEqualTo(1);
  }

  @Test
  void aReplyStaysOutOfTheBrokerAndItsHistory() throws Exception {
    responder.open();
    try (EventStreamReader s = EventStreamReader.open(send(UUID.randomUUID().toString(), "keep me out"), null)) {
      EventStreamReader.Received e;
      int events = 0;
      while (!(e = s.take()).type().equals("done")) events++;
      assertThat(events).isGreaterThan(1);
      assertThat(e.id()).isEqualTo(String.valueOf(events + 1));
    }
    assertThat(hub.server.broker().stats().published()).isZero();
    assertThat(hub.server.eventLog().readAfter("earliest").toCompletableFuture().get().events()).isEmpty();
  }

  @Test
  void resumingAReplyTheHubDoesNotHoldEndsItWithAReason() throws Exception {
    try (EventStreamReader s = EventStreamReader.open(send(UUID.randomUUID().toString(), null), "12")) {
      EventStreamReader.Received done = s.take();
      assertThat(done.type()).isEqualTo("done");
      assertThat(done.data()).isEqualTo("{\"finish\":\"error\",\"error\":\"this reply is no longer kept\"}");
    }
    assertThat(responder.started()).isZero();
  }

  @Test
  void badRequestsAreRefusedWithAReason() throws Exception {
    HttpResponse<String> badReply = get(hub.base + "/api/send?reply=../../x&message=hi");
    assertThat(badReply.statusCode()).isEqualTo(400);
    assertThat(badReply.body()).contains("reply must be an id");
    HttpResponse<String> tooLong = get(hub.base + "/api/send?reply=" + UUID.randomUUID() + "&message="
        + "x".repeat(ChatReplies.MAX_MESSAGE_CHARS + 1));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(responder.started()).isZero();
  }

  @Test
  void demosOffServesNoChat() throws Exception {
    try (InProcessHub off = InProcessHub.start(null, false)) {
      assertThat(get(off.base + "/api/send?reply=" + UUID.randomUUID() + "&message=hi").statusCode()).isEqualTo(404);
      assertThat(get(off.base + "/demo/chat").statusCode()).isEqualTo(404);
      assertThat(get(off.base + "/").statusCode()).isEqualTo(200);
    }
  }

  static HttpResponse<String> get(String url) throws Exception {
    return EventStreamReader.HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
