package dev.herald.server;

import dev.herald.protocol.Event;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;

/**
 * A server in a child JVM for {@link NioTransportTest}: reports whether native epoll is available,
 * publishes one event and serves until its standard input closes.
 */
final class NioOnlyServerMain {
  public static void main(String[] args) throws Exception {
    try (HeraldServer server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).build().start()) {
      server.broker().publish("transport", Event.of("served over nio")).toCompletableFuture().get();
      System.out.println("epoll=" + Epoll.isAvailable());
      System.out.println("port=" + server.port());
      System.out.flush();
      waitForEndOfInput();
    }
  }

  private static void waitForEndOfInput() throws IOException {
    while (System.in.read() >= 0) {
      // the parent test closes our input when it is done
    }
  }
}
