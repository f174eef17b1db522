package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.herald.server.EventLog;
import dev.herald.testing.EventStreamReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What dev mode (no keys) changes, and what a hub with keys must not inherit from it: dev mode
 * listens on loopback only and says so, and serves the demos; a hub with keys listens everywhere and
 * serves no demo unless asked; the ticker's prices never enter the history.
 */
@Timeout(120)
class DevModeTest {
  private static final String SECRET = "dev-mode-test-hs256-secret-0123456789abcdef";

  @Test
  void devModeListensOnLoopbackOnlyUnlessBindIsGivenAndTheBannerSaysSo() throws Exception {
    assertThat(ServeArgs.settings().bindAddress()).isEqualTo("127.0.0.1");
    assertThat(ServeArgs.settings("--bind", "0.0.0.0").bindAddress()).isEqualTo("0.0.0.0");
    assertThat(ServeArgs.settings("--publisher-key", SECRET).bindAddress()).as("a hub with keys").isEqualTo("0.0.0.0");

    ByteArrayOutputStream banner = new ByteArrayOutputStream();
    Hub.authorizer(ServeArgs.settings(), new PrintStream(banner, true, StandardCharsets.UTF_8));
    assertThat(banner.toString(StandardCharsets.UTF_8)).contains("DEV MODE")
        .contains("It listens on 127.0.0.1 only, so no other machine reaches it; --bind 0.0.0.0 opens it to the network.");
    ByteArrayOutputStream open = new ByteArrayOutputStream();
    Hub.authorizer(ServeArgs.settings("--bind", "0.0.0.0"), new PrintStream(open, true, StandardCharsets.UTF_8));
    assertThat(open.toString(StandardCharsets.UTF_8)).contains("It listens on 0.0.0.0: anyone who reaches this port may subscribe.");

    // On the wire: the machine's own network address does not reach a dev-mode hub; loopback does.
    Optional<InetAddress> network = networkAddress();
    assumeTrue(network.isPresent(), "this machine has no non-loopback IPv4 address to try");
    try (Hub dev = ServeArgs.start("--port", "0", "--store", "memory")) {
      assertThat(new HubClient(dev.port()).get("/healthz").statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> connect(network.get(), dev.port())).isInstanceOf(IOException.class);
    }
    try (Hub everywhere = ServeArgs.start("--port", "0", "--store", "memory", "--bind", "0.0.0.0")) {
      connect(network.get(), everywhere.port());
    }
  }

  @Test
  void demosAreOnInDevModeAndOffWithKeysUnlessAskedFor() throws Exception {
    assertThat(ServeArgs.settings().demo()).isTrue();
    assertThat(ServeArgs.settings("--demo=false").demo()).isFalse();
    assertThat(ServeArgs.settings("--publisher-key", SECRET).demo()).isFalse();
    assertThat(ServeArgs.settings("--publisher-key", SECRET, "--demo").demo()).isTrue();

    try (Hub dev = ServeArgs.start("--port", "0", "--store", "memory");
        Hub production = ServeArgs.start("--port", "0", "--store", "memory", "--bind", "127.0.0.1",
            "--publisher-key", SECRET)) {
      assertThat(new HubClient(dev.port()).get("/demo/ticker").statusCode()).isEqualTo(200);
      assertThat(new HubClient(production.port()).get("/demo/ticker").statusCode()).isEqualTo(404);
      assertThat(new HubClient(production.port()).get("/demo/chat").statusCode()).isEqualTo(404);
      assertThat(new HubClient(production.port()).get("/demo/ticker/events").statusCode()).isEqualTo(404);
      assertThat(new HubClient(production.port()).get("/").statusCode()).as("the console stays").isEqualTo(200);
    }
  }

  @Test
  void tickerPricesReachTheTickerPageButNeverTheHistory() throws Exception {
    try (Hub hub = ServeArgs.start("--port", "0", "--store", "memory");
        EventStreamReader ticker = EventStreamReader.open("http://127.0.0.1:" + hub.port() + "/demo/ticker/events", null)) {
      for (int i = 0; i < 3; i++) {
        EventStreamReader.Received price = ticker.take();
        assertThat(price.type()).isEqualTo("price");
        assertThat(price.data()).contains("\"symbol\"").contains("\"price\"");
      }
      EventLog log = hub.server().eventLog();
      assertThat(log.readAfter(EventLog.EARLIEST).toCompletableFuture().get(30, TimeUnit.SECONDS).events())
          .as("the history").isEmpty();
      assertThat(hub.server().broker().stats().published()).as("published through the broker").isZero();
    }
  }

  private static void connect(InetAddress address, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 10_000);
    }
  }

  private static Optional<InetAddress> networkAddress() throws IOException {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) continue;
      for (InetAddress a : Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
