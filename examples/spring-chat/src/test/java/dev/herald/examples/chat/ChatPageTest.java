package dev.herald.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.server.browser.Chromium;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The example's page in headless Chromium, against the example application on a random port. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"server.address=127.0.0.1", "chat.token-delay=80ms"})
class ChatPageTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static final Chromium chromium = Chromium.headless();

  @LocalServerPort
  int port;

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private static ConditionFactory eventually() {
    return Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50));
  }

  @Test
  void anAnnouncementReachesEveryOpenPageAsANamedEvent() throws Exception {
    WebDriver page = chromium.driver();
    page.get(url("/"));
    eventually().until(() -> page.findElement(By.id("announce-state")).getText().equals("live"));
    BlockingQueue<MessageEvent> java = new LinkedBlockingQueue<>();
    BlockingQueue<String> opened = new LinkedBlockingQueue<>();
    try (EventSource other = EventSource.builder(url("/events?topic=announcements"))
        .onOpen(es -> opened.add("open"))
        .addEventListener("announcement", (es, e) -> java.add(e))
        .build()) {
      assertThat(opened.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
      HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(url("/api/announce?text=" + URLEncoder.encode("Hello, everyone", StandardCharsets.UTF_8))))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(200);

      eventually().until(() -> !page.findElements(By.cssSelector("#announcements li")).isEmpty());
      assertThat(page.findElement(By.cssSelector("#announcements li")).getText()).isEqualTo("Hello, everyone");
      MessageEvent e = java.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      assertThat(e.data()).isEqualTo("{\"text\":\"Hello, everyone\"}");
    }
  }

  @Test
  void aReloadMidReplyResumesWithNothingLostOrRepeated() {
    WebDriver page = chromium.driver();
    page.get(url("/"));
    js(page, "localStorage.clear()");
    page.navigate().refresh();
    String message = "Tell me about streams";
    page.findElement(By.id("message")).sendKeys(message);
    page.findElement(By.id("send")).click();

    // Some tokens shown, the reply not done: reload in the middle of it.
    eventually().until(() -> turn(page) != null && ((List<?>) turn(page).get("ids")).size() >= 5);
    assertThat(turn(page).get("done")).isEqualTo(false);
    page.navigate().refresh();

    eventually().until(() -> Boolean.TRUE.equals(turn(page).get("done")));
    Map<String, Object> turn = turn(page);
    assertThat(turn.get("text")).as("every token once, in order").isEqualTo(ChatReplies.replyTo(message));
    @SuppressWarnings("unchecked")
    List<String> ids = (List<String>) turn.get("ids");
    assertThat(new HashSet<>(ids)).as("no event twice").hasSameSizeAs(ids);
    assertThat(ids).hasSize(ChatReplies.tokens(ChatReplies.replyTo(message)).size());
    assertThat(page.findElement(By.cssSelector(".assistant")).getText()).isEqualTo(ChatReplies.replyTo(message));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> turn(WebDriver page) {
    return (Map<String, Object>) js(page,
        "var t = JSON.parse(localStorage.getItem('herald.spring-chat') || '[]'); return t[t.length - 1] || null;");
  }

  private static Object js(WebDriver page, String script) {
    return ((JavascriptExecutor) page).executeScript(script);
  }
}
