package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.hub.auth.DevKeys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A form body that cannot be decoded is the publisher's mistake: a 400 naming the field, as in a query string. */
@Timeout(60)
class HubMalformedFormTest {
  private static final String SECRET = "hub-form-test-hs256-secret-0123456789abcd";
  private static Hub hub;
  private static HubClient client;

  @BeforeAll
  static void start() throws Exception {
    hub = ServeArgs.start("--bind", "127.0.0.1", "--port", "0", "--publisher-key", SECRET, "--anonymous",
        "--demo=false", "--store", "memory");
    client = new HubClient(hub.port());
  }

  @AfterAll
  static void stop() throws Exception {
    hub.close();
  }

  private static HttpResponse<String> post(String body) throws Exception {
    String token = DevKeys.hs256Token(SECRET.getBytes(StandardCharsets.UTF_8), List.of("*"), List.of(),
        Instant.now().plus(Duration.ofHours(1)));
    return client.post(token, "application/x-www-form-urlencoded", body);
  }

  @Test
  void anInvalidPercentEscapeIs400NamingTheField() throws Exception {
    HttpResponse<String> r = post("topic=%ZZ&data=x");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("malformed form field 'topic': invalid percent-escape '%ZZ'\n");
  }

  @Test
  void anEscapeCutShortIs400NamingTheField() throws Exception {
    HttpResponse<String> r = post("topic=a&data=%E");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("malformed form field 'data': truncated percent-escape '%E' at its end\n");
  }

  @Test
  void aTruncatedUtf8SequenceIs400NamingTheField() throws Exception {
    HttpResponse<String> r = post("topic=a&id=%E2%82");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("malformed form field 'id': not valid UTF-8 once decoded\n");
  }

  @Test
  void aWellFormedBodyStillPublishes() throws Exception {
    HttpResponse<String> r = post("topic=a%2Fb&data=caf%C3%A9+au+lait");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }
}
