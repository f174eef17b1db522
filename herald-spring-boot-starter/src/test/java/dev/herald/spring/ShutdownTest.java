package dev.herald.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.server.Broker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application ends every stream with the {@code retry:} hint, in Spring's shutdown
 * phase, and quickly: the web server's graceful shutdown does not wait for streams, which never end
 * on their own.
 */
class ShutdownTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"servlet", "reactive"})
  void closingTheContextEndsEveryStreamWithTheRetryHint(String webApplicationType) throws Exception {
    // Arguments, not default properties: they must win over the tests' application.properties.
    ConfigurableApplicationContext app = new SpringApplicationBuilder(TestApp.class)
        .run("--server.port=0", "--spring.main.web-application-type=" + webApplicationType,
            "--herald.retry-hint=2500ms", "--server.shutdown=graceful",
            "--spring.lifecycle.timeout-per-shutdown-phase=30s");
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    Broker broker = app.getBean(Broker.class);
    var body = HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/events?topic=news")).build(), HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(30)).until(() -> broker.connectionCount() == 1);

    long started = System.nanoTime();
    app.close();
    Duration closing = Duration.ofNanos(System.nanoTime() - started);

    String stream = body.get(20, TimeUnit.SECONDS).body();
    assertThat(stream).as("the hint first, and again as the stream's last frame")
        .startsWith("retry: 2500\n\n").endsWith("retry: 2500\n\n");
    assertThat(closing).as("the graceful shutdown did not wait out its 30 s for the stream")
        .isLessThan(Duration.ofSeconds(20));
  }
}
