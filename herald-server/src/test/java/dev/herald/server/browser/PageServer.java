package dev.herald.server.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves the empty HTML page the tests load, on 127.0.0.1 and a free port: a web origin of its own,
 * so streams from the Herald server are cross-origin to it.
 */
final class PageServer implements AutoCloseable {
  private static final byte[] PAGE =
      "<!doctype html><html><head><meta charset=utf-8><title>Herald browser test</title></head><body></body></html>"
          .getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;

  private PageServer(HttpServer server) {
    this.server = server;
  }

  static PageServer start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      try (exchange; OutputStream body = exchange.getResponseBody()) {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(200, PAGE.length);
        body.write(PAGE);
      }
    });
    server.start();
    return new PageServer(server);
  }

  /** The page's origin, as the browser sends it in {@code Origin}. */
  String origin() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  String pageUrl() {
    return origin() + "/page.html";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
