package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.browser.Chromium;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The README's path, as a newcomer takes it: {@code herald serve} with no options (dev mode, the
 * durable store, demos on) in a process of its own, then a streamed chat reply in a real browser.
 */
class QuickStartTest {
  @RegisterExtension static final Chromium chromium = Chromium.headless();

  @TempDir Path dir;
  private Process hub;

  @AfterEach
  void stop() throws Exception {
    if (hub != null) {
      hub.destroy();
      if (!hub.waitFor(10, TimeUnit.SECONDS)) hub.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void fromHeraldServeToAStreamedChatReplyTheConsoleAndTheTickerInTheBrowser() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // The README's command, run from a fresh directory: only the port differs from the default.
    // The JVM lists every class it loads: a hub without --redis must never load Lettuce.
    Path loaded = dir.resolve("classes-loaded.txt");
    hub = dev.herald.redis.ChildProcesses.track(new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xlog:class+load=info:file=" + loaded, "-cp", System.getProperty("java.class.path"),
        "dev.herald.hub.HeraldMain", "serve", "--port", Integer.toString(port))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .start());
    CountDownLatch ready = new CountDownLatch(1);
    AtomicReference<String> output = new AtomicReference<>("");
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(hub.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.set(output.get() + line + "\n");
          if (line.contains("Herald hub ready")) ready.countDown();
        }
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    assertThat(ready.await(60, TimeUnit.SECONDS)).as("hub ready; output:\n%s", output).isTrue();
    assertThat(output.get()).contains("DEV MODE", "Publisher token");
    assertThat(dir.resolve("data").resolve("herald-events.db")).exists();

    WebDriver d = chromium.driver();
    d.get("http://localhost:" + port + "/demo/chat");
    String message = "What is Herald?";
    d.findElement(By.id("message")).sendKeys(message);
    d.findElement(By.id("send")).click();
    await().atMost(Duration.ofSeconds(30)).until(() ->
        "true".equals(d.findElement(By.cssSelector(".bubble.assistant")).getAttribute("data-done")));
    String expected = OfflineResponder.reply(message);
    assertThat(d.findElement(By.cssSelector(".bubble.assistant .text")).getText()).isEqualTo(expected.strip());
    assertThat(OfflineResponder.tokens(expected)).hasSizeGreaterThan(3); // it streamed in pieces

    // The console: publish through its form with the token the hub printed, see the event arrive.
    String token = publisherToken(output.get());
    d.get("http://localhost:" + port + "/");
    await().atMost(Duration.ofSeconds(30)).until(() -> d.findElement(By.id("state")).getText().equals("Open"));
    d.findElement(By.id("pub-token")).sendKeys(token);
    WebElement data = d.findElement(By.id("pub-data"));
    data.clear();
    data.sendKeys("{\"hello\": \"from the quick start\"}");
    d.findElement(By.id("pub-send")).click();
    await().atMost(Duration.ofSeconds(30)).until(() -> d.findElement(By.id("pub-result")).getText().startsWith("Published as #"));
    String id = d.findElement(By.id("pub-result")).getText().substring("Published as #".length());
    await().atMost(Duration.ofSeconds(30)).until(() -> !d.findElements(By.cssSelector("#events li[data-id='" + id + "']")).isEmpty());
    assertThat(d.findElement(By.cssSelector("#events li[data-id='" + id + "'] pre")).getText()).contains("from the quick start");

    // The ticker: prices keep moving.
    d.get("http://localhost:" + port + "/demo/ticker");
    await().atMost(Duration.ofSeconds(30)).until(() -> !d.findElements(By.cssSelector(".quote")).isEmpty());
    WebElement quote = d.findElements(By.cssSelector(".quote")).get(0);
    int updates = Integer.parseInt(quote.getAttribute("data-updates"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Integer.parseInt(quote.getAttribute("data-updates")) >= updates + 3);

    // Everything above ran without cluster mode: nothing of Redis was loaded.
    String classes = java.nio.file.Files.readString(loaded);
    assertThat(classes).contains("dev.herald.hub.Hub ");
    assertThat(classes).doesNotContain("io.lettuce", "dev.herald.redis", "dev.herald.hub.RedisStore");
  }

  /** The publisher token dev mode printed, the line after its label. */
  private static String publisherToken(String output) {
    String[] lines = output.split("\n");
    for (int i = 0; i < lines.length - 1; i++) {
      if (lines[i].contains("Publisher token")) return lines[i + 1].trim();
    }
    throw new AssertionError("no publisher token in:\n" + output);
  }
}
