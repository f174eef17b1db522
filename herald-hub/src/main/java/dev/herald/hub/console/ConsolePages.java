package dev.herald.hub.console;

import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.HttpEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The hub's pages, from the jar: the console at {@code /}, the demos at {@code /demo/chat} and
 * {@code /demo/ticker}, and their assets at {@code /console/<file>}. Plain HTML, CSS and
 * JavaScript, no build step. GET and HEAD only; anything else is a 404 with a line of text.
 *
 * <p>Asset names are one path segment of letters, digits, dots, dashes and underscores, never
 * starting with a dot: nothing outside the classpath folder {@code console/} can be named.
 */
public final class ConsolePages implements HttpEndpoint {
  private static final String ROOT = "/console/";
  private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json");
  /** Pages and scripts only from this origin; no framing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; "
      + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final boolean demosOn;
  private final Map<String, Optional<byte[]>> cache = new ConcurrentHashMap<>();

  /** @param demosOn whether the demo pages are served and linked from the console */
  public ConsolePages(boolean demosOn) {
    this.demosOn = demosOn;
  }

  @Override
  public CompletionStage<EndpointResponse> handle(EndpointRequest request) {
    String method = request.method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return done(EndpointResponse.text(405, method + " is not allowed here: the console's pages are read with GET")
          .withHeader("allow", "GET, HEAD"));
    }
    String file = file(request.path());
    if (file == null) return done(EndpointResponse.text(404, "not found: " + request.path()));
    Optional<byte[]> cached = cache.get(file);
    if (cached != null) return done(respond(method, request.path(), file, cached));
    // The first read of a file comes from the jar: not on the event loop that called.
    return CompletableFuture.supplyAsync(() -> respond(method, request.path(), file, load(file)));
  }

  private EndpointResponse respond(String method, String path, String file, Optional<byte[]> body) {
    if (body.isEmpty()) return EndpointResponse.text(404, "not found: " + path);
    String extension = file.substring(file.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    EndpointResponse response = EndpointResponse.of(200, TYPES.getOrDefault(extension, "application/octet-stream"),
            method.equals("HEAD") ? new byte[0] : body.get())
        .withHeader("cache-control", "no-cache")
        .withHeader("x-content-type-options", "nosniff")
        .withHeader("referrer-policy", "same-origin");
    if (extension.equals("html")) response = response.withHeader("content-security-policy", CONTENT_SECURITY_POLICY);
    return response;
  }

  /** The classpath file under {@code console/} serving {@code path}, or null. */
  private String file(String path) {
    switch (path) {
      case "/":
      case "/index.html":
        return "index.html";
      case "/demo/chat":
        return demosOn ? "chat.html" : null;
      case "/demo/ticker":
        return demosOn ? "ticker.html" : null;
      default:
        if (!path.startsWith(ROOT)) return null;
        String name = path.substring(ROOT.length());
        if (!ASSET.matcher(name).matches() || name.endsWith(".html")) return null;
        return name;
    }
  }

  private Optional<byte[]> load(String file) {
    return cache.computeIfAbsent(file, f -> {
      try (InputStream in = ConsolePages.class.getResourceAsStream(ROOT + f)) {
        if (in == null) return Optional.empty();
        byte[] bytes = in.readAllBytes();
        return Optional.of(f.endsWith(".html") ? page(bytes) : bytes);
      } catch (IOException e) {
        throw new UncheckedIOException("reading console/" + f + " from the jar", e);
      }
    });
  }

  /** Tells a page whether the demos are on, for its navigation. */
  private byte[] page(byte[] html) {
    if (demosOn) return html;
    return new String(html, StandardCharsets.UTF_8).replace("data-demos=\"on\"", "data-demos=\"off\"")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static CompletionStage<EndpointResponse> done(EndpointResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
