package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSourceError.Kind;
import dev.herald.client.ScriptedServer.RecordedRequest;
import dev.herald.client.ScriptedServer.Script;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Items 47-49: redirects, followed by the source itself with Fetch's rules. */
class RedirectTest extends ScriptedServerTestBase {

  @ParameterizedTest
  @ValueSource(ints = {301, 302, 303, 307, 308})
  @DisplayName("47: redirects are followed transparently")
  void redirectsAreFollowed(int status) throws Exception {
    server.enqueue(Script.status(status, "Location: /target"));
    server.enqueue(Script.ok().send("data: here\n\n").stall());
    open(builder("/start"));
    assertThat(server.takeRequest().path()).isEqualTo("/start");
    assertThat(server.takeRequest().path()).isEqualTo("/target");
    recorder.assertOpen();
    recorder.assertMessage("here");
    recorder.assertExhausted();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Location: ", "Location:    "})
  @DisplayName("48: a redirect with a missing or empty Location fails, with no loop")
  void redirectWithoutLocationFails(String locationLine) throws Exception {
    server.enqueue(locationLine.isEmpty() ? Script.status(302) : Script.status(302, locationLine));
    EventSource es = open(builder("/"));
    EventSourceError e = recorder.assertClosed(Kind.REDIRECT);
    assertThat(e.statusCode()).hasValue(302);
    assertThat(es.readyState()).isEqualTo(EventSource.ReadyState.CLOSED);
    server.takeRequest();
    server.assertNoRequest(Duration.ofMillis(200));
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("48: a redirect loop ends with an error after 20 hops")
  void redirectLoopFails() throws Exception {
    server.setDefault(Script.status(307, "Location: /again"));
    open(builder("/"));
    recorder.assertClosed(Kind.REDIRECT);
    assertThat(server.requestCount()).isEqualTo(21);
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("48: a redirect to a non-HTTP URL fails")
  void redirectToNonHttpFails() throws Exception {
    server.enqueue(Script.status(301, "Location: ftp://example.com/x"));
    open(builder("/"));
    recorder.assertClosed(Kind.REDIRECT);
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("49: reconnections start again from the original URL")
  void reconnectionUsesTheOriginalUrl() throws Exception {
    server.enqueue(Script.status(301, "Location: /moved"));
    server.enqueue(Script.ok().send("data: 1\n\n"));
    server.enqueue(Script.status(301, "Location: /moved"));
    server.enqueue(Script.ok().stall());
    open(builder("/original"));
    assertThat(server.takeRequest().path()).isEqualTo("/original");
    assertThat(server.takeRequest().path()).isEqualTo("/moved");
    assertThat(server.takeRequest().path()).isEqualTo("/original");
    assertThat(server.takeRequest().path()).isEqualTo("/moved");
    recorder.assertOpen();
    recorder.assertMessage("1");
    recorder.assertRetrying(Kind.END_OF_STREAM);
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a POST redirected with 303 becomes a GET without body")
  void postRedirectedWith303BecomesGet() throws Exception {
    server.enqueue(Script.status(303, "Location: /result"));
    server.enqueue(Script.ok().stall());
    open(builder("/").method("POST", "x".getBytes(StandardCharsets.UTF_8)));
    assertThat(server.takeRequest().method()).isEqualTo("POST");
    RecordedRequest second = server.takeRequest();
    assertThat(second.method()).isEqualTo("GET");
    assertThat(second.body()).isEmpty();
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("a 307 keeps the method and body")
  void redirect307KeepsMethodAndBody() throws Exception {
    server.enqueue(Script.status(307, "Location: /other"));
    server.enqueue(Script.ok().stall());
    open(builder("/").method("POST", "x".getBytes(StandardCharsets.UTF_8)));
    server.takeRequest();
    RecordedRequest second = server.takeRequest();
    assertThat(second.method()).isEqualTo("POST");
    assertThat(second.bodyText()).isEqualTo("x");
    recorder.assertOpen();
    recorder.assertExhausted();
  }

  @Test
  @DisplayName("Authorization is not sent to another origin after a redirect")
  void credentialsStayWithTheirOrigin() throws Exception {
    try (ScriptedServer other = new ScriptedServer()) {
      other.enqueue(Script.ok().stall());
      server.enqueue(Script.status(302, "Location: " + other.url("/x")));
      open(builder("/").header("Authorization", "Bearer secret").header("X-Other", "kept"));
      assertThat(server.takeRequest().header("Authorization")).isEqualTo("Bearer secret");
      RecordedRequest redirected = other.takeRequest();
      assertThat(redirected.header("Authorization")).isNull();
      assertThat(redirected.header("X-Other")).isEqualTo("kept");
      recorder.assertOpen();
      recorder.assertExhausted();
    }
  }
}
