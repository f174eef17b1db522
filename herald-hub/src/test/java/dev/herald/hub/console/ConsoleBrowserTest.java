package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.hub.ConsoleTestHub;
import dev.herald.server.browser.Chromium;
import dev.herald.testing.EventStreamReader;
import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The console and the demos in headless Chromium against a real hub. With the system property
 * {@code herald.screenshots.dir} set, each test saves a screenshot there (the README's images).
 */
class ConsoleBrowserTest {
  @RegisterExtension
  static final Chromium chromium = Chromium.headless();

  static final Duration WAIT = Duration.ofSeconds(15);
  static GatedResponder responder;
  static InProcessHub hub;

  @BeforeAll
  static void startHub() throws Exception {
    responder = new GatedResponder();
    hub = InProcessHub.start(responder, true);
  }

  @AfterAll
  static void stopHub() throws Exception {
    responder.open();
    hub.close();
  }

  private WebDriver open(String path) {
    WebDriver d = chromium.driver();
    d.manage().window().setSize(new Dimension(1280, 900));
    d.get(hub.base + path);
    ((JavascriptExecutor) d).executeScript("localStorage.clear()");
    d.navigate().refresh();
    return d;
  }

  private static void waitFor(Callable<Boolean> condition) {
    try {
      await().atMost(WAIT).ignoreExceptions().until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // Say what the page showed: a timeout alone tells nothing.
      WebDriver d = chromium.driver();
      throw new AssertionError(e.getMessage() + "\npage " + d.getCurrentUrl() + " shows:\n"
          + d.findElement(By.tagName("body")).getText(), e);
    }
  }

  private static String text(WebDriver d, String id) {
    return d.findElement(By.id(id)).getText();
  }

  @Test
  void theConsoleShowsEventsPublishedThroughItsFormAndOverHttpWithTheHubsFigures() throws Exception {
    WebDriver d = open("/");
    waitFor(() -> text(d, "state").equals("Open"));
    assertThat(d.findElements(By.cssSelector("#selectors .chip"))).extracting(WebElement::getText)
        .containsExactly("news\n×");

    d.findElement(By.id("pub-token")).sendKeys(ConsoleTestHub.PUBLISHER_TOKEN);
    WebElement data = d.findElement(By.id("pub-data"));
    data.clear();
    data.sendKeys("{\"headline\": \"Herald 0.1 ships\", \"by\": \"the console\"}");
    d.findElement(By.id("pub-type")).sendKeys("headline");
    d.findElement(By.id("pub-send")).click();
    waitFor(() -> text(d, "pub-result").startsWith("Published as #"));
    String formId = text(d, "pub-result").substring("Published as #".length());
    waitFor(() -> !d.findElements(By.cssSelector("#events li[data-id='" + formId + "']")).isEmpty());
    WebElement fromForm = d.findElement(By.cssSelector("#events li[data-id='" + formId + "']"));
    assertThat(fromForm.getAttribute("data-type")).isEqualTo("headline");
    assertThat(fromForm.findElement(By.className("topic")).getText()).isEqualTo("news");
    assertThat(fromForm.findElement(By.tagName("pre")).getText()).contains("\"headline\": \"Herald 0.1 ships\"");

    HttpResponse<String> published = EventStreamReader.HTTP.send(HttpRequest.newBuilder(URI.create(hub.base + "/.well-known/mercure"))
        .header("Authorization", "Bearer " + ConsoleTestHub.PUBLISHER_TOKEN)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("topic=news&data=%7B%22headline%22%3A%22Published+with+curl%22%7D"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(published.statusCode()).isEqualTo(200);
    String httpId = published.body().trim();
    waitFor(() -> !d.findElements(By.cssSelector("#events li[data-id='" + httpId + "']")).isEmpty());
    WebElement fromHttp = d.findElement(By.cssSelector("#events li[data-id='" + httpId + "']"));
    assertThat(fromHttp.getAttribute("data-type")).isEqualTo("message");
    assertThat(fromHttp.findElement(By.tagName("pre")).getText()).contains("Published with curl");
    assertThat(text(d, "last-id")).isEqualTo(httpId);

    waitFor(() -> Long.parseLong(text(d, "fig-published").replace(",", "")) >= 2);
    assertThat(Integer.parseInt(text(d, "fig-connections"))).isGreaterThanOrEqualTo(2);
    ((JavascriptExecutor) d).executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
    screenshot(d, "console.png");


    // A wrong token is shown as the hub's answer, not swallowed.
    WebElement token = d.findElement(By.id("pub-token"));
    token.clear();
    token.sendKeys("wrong");
    d.findElement(By.id("pub-send")).click();
    waitFor(() -> text(d, "pub-result").startsWith("401: "));
    token.clear();
    token.sendKeys(ConsoleTestHub.PUBLISHER_TOKEN);

    // Readable on a phone: nothing wider than the screen.
    d.manage().window().setSize(new Dimension(375, 812));
    waitFor(() -> ((Number) ((JavascriptExecutor) d).executeScript(
        "return document.documentElement.scrollWidth")).intValue() <= 375);
    ((JavascriptExecutor) d).executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
    screenshot(d, "console-phone.png");
  }

  @Test
  void theChatStreamsTokenByTokenAndAReloadMidReplyResumesWithNothingLostOrRepeated() throws Exception {
    WebDriver d = open("/demo/chat");
    String message = "How does Herald resume a reply?";
    String expected = OfflineResponder.reply(message);
    List<String> tokens = OfflineResponder.tokens(expected);
    String beforeGate = String.join("", tokens.subList(0, GatedResponder.BEFORE_GATE));
    d.findElement(By.id("message")).sendKeys(message);
    d.findElement(By.id("send")).click();

    By reply = By.cssSelector(".bubble.assistant .text");
    waitFor(() -> d.findElement(reply).getText().equals(beforeGate.strip()) && responder.waiting());
    assertThat(d.findElement(By.cssSelector(".bubble.user")).getText()).isEqualTo(message);

    d.navigate().refresh(); // mid-reply: the responder holds the rest
    waitFor(() -> d.findElement(reply).getText().equals(beforeGate.strip()) && text(d, "state").equals("Streaming"));
    assertThat(text(d, "detail")).startsWith("resumed after event #");
    responder.open();

    waitFor(() -> "true".equals(d.findElement(By.cssSelector(".bubble.assistant")).getAttribute("data-done")));
    String stored = (String) ((JavascriptExecutor) d).executeScript(
        "return JSON.parse(localStorage.getItem('herald.chat'))[0].text");
    assertThat(stored).isEqualTo(expected);
    assertThat(d.findElement(reply).getText()).isEqualTo(expected.strip());
    assertThat(text(d, "state")).isEqualTo("Done");
    assertThat(responder.started()).isEqualTo(1);
    screenshot(d, "chat.png");
  }

  @Test
  void theTickerBoardUpdatesLive() throws Exception {
    WebDriver d = open("/demo/ticker");
    waitFor(() -> text(d, "state").equals("Live"));
    By quotes = By.cssSelector(".quote");
    waitFor(() -> d.findElements(quotes).size() == Ticker.OPENING.size());
    WebElement first = d.findElements(quotes).get(0);
    String before = first.findElement(By.className("price")).getText();
    int updates = Integer.parseInt(first.getAttribute("data-updates"));
    waitFor(() -> Integer.parseInt(first.getAttribute("data-updates")) >= updates + 3);
    assertThat(first.findElement(By.className("price")).getText()).matches("\\d+\\.\\d\\d");
    assertThat(before).matches("\\d+\\.\\d\\d");
    waitFor(() -> d.findElements(quotes).stream().allMatch(q -> Integer.parseInt(q.getAttribute("data-updates")) >= 5));
    screenshot(d, "ticker.png");
  }

  private static void screenshot(WebDriver d, String name) throws Exception {
    String dir = System.getProperty("herald.screenshots.dir");
    if (dir == null || dir.isBlank()) return;
    File shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE);
    Path target = Path.of(dir).resolve(name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
