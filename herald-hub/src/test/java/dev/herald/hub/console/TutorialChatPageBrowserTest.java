package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.browser.Chromium;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The chat demo against a page written the way SSE tutorials write one: a relative
 * {@code new EventSource('/api/send?message=...')} with no reply id, tokens appended on
 * {@code message}, the source closed on {@code done}.
 */
class TutorialChatPageBrowserTest {
  @RegisterExtension
  static final Chromium chromium = Chromium.headless();

  static final Duration WAIT = Duration.ofSeconds(30);
  static final String MESSAGE = "hello from a tutorial";

  /** The page as a tutorial prints it; nothing in it knows about Herald. */
  static final String TUTORIAL_PAGE = """
      <!DOCTYPE html>
      <html>
      <body>
        <p id="reply"></p>
        <script>
          window.tokens = [];
          window.errors = 0;
          window.done = false;
          const source = new EventSource('/api/send?message=' + encodeURIComponent('%s'));
          source.onmessage = (event) => {
            const token = JSON.parse(event.data).token;
            window.tokens.push(token);
            document.getElementById('reply').textContent += token;
          };
          source.addEventListener('done', () => {
            window.done = true;
            source.close();
          });
          source.onerror = () => { window.errors++; };
        </script>
      </body>
      </html>
      """.formatted(MESSAGE);

  static InProcessHub hub;

  @BeforeAll
  static void startHub() {
    // No pause between tokens: the reply is published as fast as it can be, the hardest case for a
    // page that subscribes from now (no Last-Event-ID, no lastEventID=earliest).
    hub = InProcessHub.start(new OfflineResponder(Duration.ZERO), true);
  }

  @AfterAll
  static void stopHub() throws Exception {
    hub.close();
  }

  @Test
  void aTutorialsPageOpeningApiSendWithOnlyAMessageReceivesTheWholeReply() {
    WebDriver d = chromium.driver();
    // Any page of the hub's origin, replaced by the tutorial's: its relative URL is then the hub's.
    d.get(hub.base + "/healthz");
    JavascriptExecutor js = (JavascriptExecutor) d;
    js.executeScript("document.open(); document.write(arguments[0]); document.close();", TUTORIAL_PAGE);

    await().atMost(WAIT).until(() -> Boolean.TRUE.equals(js.executeScript("return window.done === true")));
    @SuppressWarnings("unchecked")
    List<String> tokens = (List<String>) js.executeScript("return window.tokens");
    assertThat(String.join("", tokens)).isEqualTo(OfflineResponder.reply(MESSAGE));
    assertThat(tokens).isEqualTo(OfflineResponder.tokens(OfflineResponder.reply(MESSAGE)));
    assertThat(js.executeScript("return document.getElementById('reply').textContent"))
        .isEqualTo(OfflineResponder.reply(MESSAGE));
    assertThat(js.executeScript("return window.errors")).as("error events").isEqualTo(0L);
  }

  @Test
  void twoTutorialPagesGetTwoRepliesEachToItsOwnMessage() {
    WebDriver d = chromium.driver();
    d.get(hub.base + "/healthz");
    JavascriptExecutor js = (JavascriptExecutor) d;
    // Two sources on one page, each without a reply id: each gets a fresh reply of its own.
    js.executeScript("""
        window.replies = {a: '', b: ''};
        window.finished = 0;
        for (const name of ['a', 'b']) {
          const s = new EventSource('/api/send?message=' + name);
          s.onmessage = (e) => { window.replies[name] += JSON.parse(e.data).token; };
          s.addEventListener('done', () => { window.finished++; s.close(); });
        }
        """);
    await().atMost(WAIT).until(() -> ((Number) js.executeScript("return window.finished")).intValue() == 2);
    @SuppressWarnings("unchecked")
    Map<String, String> replies = (Map<String, String>) js.executeScript("return window.replies");
    assertThat(replies).containsEntry("a", OfflineResponder.reply("a")).containsEntry("b", OfflineResponder.reply("b"));
  }
}
