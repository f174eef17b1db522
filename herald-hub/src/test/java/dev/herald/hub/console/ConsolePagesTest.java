package dev.herald.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's static pages, asked directly: content types, caching, 404, 405, traversal. */
class ConsolePagesTest {
  private final ConsolePages pages = new ConsolePages(true);

  private static EndpointResponse get(ConsolePages pages, String method, String path) throws Exception {
    return pages.handle(new EndpointRequest(method, path, Map.of(), Map.of(), new byte[0], "test"))
        .toCompletableFuture().get();
  }

  private EndpointResponse get(String path) throws Exception {
    return get(pages, "GET", path);
  }

  private static String body(EndpointResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void theConsoleIsServedAtTheRootAsHtmlThatIsNeverCachedStale() throws Exception {
    EndpointResponse r = get("/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers()).containsEntry("content-type", "text/html; charset=utf-8")
        .containsEntry("cache-control", "no-cache")
        .containsEntry("x-content-type-options", "nosniff")
        .containsKey("content-security-policy");
    assertThat(body(r)).contains("<title>Herald console</title>", "data-demos=\"on\"", "/console/console.js");
  }

  @Test
  void demoPagesAndAssetsHaveTheirContentTypes() throws Exception {
    assertThat(get("/demo/chat").headers()).containsEntry("content-type", "text/html; charset=utf-8");
    assertThat(body(get("/demo/chat"))).contains("Streaming chat");
    assertThat(body(get("/demo/ticker"))).contains("Live prices");
    assertThat(get("/console/herald.css").headers()).containsEntry("content-type", "text/css; charset=utf-8")
        .containsEntry("cache-control", "no-cache");
    assertThat(get("/console/console.js").headers()).containsEntry("content-type", "text/javascript; charset=utf-8");
    assertThat(get("/console/chat.js").status()).isEqualTo(200);
    assertThat(get("/console/ticker.js").status()).isEqualTo(200);
    assertThat(get("/console/favicon.svg").headers()).containsEntry("content-type", "image/svg+xml");
  }

  @Test
  void unknownPathsAreA404WithALineOfText() throws Exception {
    for (String path : new String[] {"/nope", "/console/", "/console/missing.js", "/demo", "/demo/other", "/console"}) {
      EndpointResponse r = get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.headers()).containsEntry("content-type", "text/plain; charset=utf-8");
      assertThat(body(r)).isEqualTo("not found: " + path + "\n");
    }
  }

  @Test
  void onlyGetAndHeadAreAllowed() throws Exception {
    for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
      EndpointResponse r = get(pages, method, "/");
      assertThat(r.status()).as(method).isEqualTo(405);
      assertThat(r.headers()).containsEntry("allow", "GET, HEAD");
    }
    EndpointResponse head = get(pages, "HEAD", "/console/herald.css");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers()).containsEntry("content-type", "text/css; charset=utf-8");
    assertThat(head.body()).isEmpty();
  }

  @Test
  void nothingOutsideTheConsoleFolderCanBeNamed() throws Exception {
    for (String path : new String[] {"/console/../logback.xml", "/console/..", "/console/.hidden",
        "/console/%2e%2e/logback.xml", "/console/..%2flogback.xml", "/console//etc/passwd", "/console/a/../../logback.xml",
        "/console/..\\logback.xml", "/../logback.xml", "/logback.xml", "/console/index.html",
        "/dev/herald/hub/console/ConsolePages.class", "/console/ConsolePages.class"}) {
      assertThat(get(path).status()).as(path).isEqualTo(404);
    }
  }

  @Test
  void demosOffHidesTheDemoPagesAndTellsTheConsole() throws Exception {
    ConsolePages off = new ConsolePages(false);
    assertThat(get(off, "GET", "/demo/chat").status()).isEqualTo(404);
    assertThat(get(off, "GET", "/demo/ticker").status()).isEqualTo(404);
    EndpointResponse console = get(off, "GET", "/");
    assertThat(console.status()).isEqualTo(200);
    assertThat(body(console)).contains("data-demos=\"off\"").doesNotContain("data-demos=\"on\"");
    assertThat(get(off, "GET", "/console/herald.css").status()).isEqualTo(200);
  }
}
