package dev.herald.client.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * One connection attempt: the request (redirects followed here, by Fetch's rules), then the
 * streaming body. {@link #abort()} may be called from any thread at any time and makes the loop
 * thread's wait end promptly (together with an interrupt from the source).
 */
final class Exchange {
  /** Fetch's redirect limit. */
  static final int MAX_REDIRECTS = 20;

  /** A redirect that cannot be followed: fatal, the source closes. */
  static final class RedirectException extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    RedirectException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final HttpClient client;
  private final SourceConfig config;

  private CompletableFuture<HttpResponse<BodyStream>> future; // guarded by this
  private BodyStream body; // guarded by this
  private boolean aborted; // guarded by this

  /** Read-timeout bookkeeping: whether the reader waits for bytes, and since when. */
  volatile boolean waitingForBytes;
  volatile long waitingSinceNanos;
  volatile boolean timedOut;
  /** The pending read-timeout check, cancelled when the attempt ends. */
  volatile ScheduledFuture<?> watchdog;

  Exchange(HttpClient client, SourceConfig config) {
    this.client = client;
    this.config = config;
  }

  /** Marks the start of a wait for bytes (the response head or the next chunk of body). */
  void waiting() {
    waitingSinceNanos = System.nanoTime();
    waitingForBytes = true;
  }

  /** Sends the request, following redirects, and returns the final response with its body open. */
  HttpResponse<BodyStream> open(String lastEventId)
      throws IOException, InterruptedException, RedirectException {
    URI url = config.url();
    String method = config.method();
    byte[] requestBody = config.body();
    boolean crossOrigin = false;
    for (int hops = 0; ; hops++) {
      HttpRequest request = request(url, method, requestBody, lastEventId, crossOrigin);
      HttpResponse<BodyStream> response = send(request);
      int status = response.statusCode();
      if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
        return response;
      }
      response.body().cancel();
      String location = response.headers().firstValue("Location").orElse("").strip();
      if (location.isEmpty()) {
        throw new RedirectException(status, "redirect " + status + " without a Location");
      }
      if (hops == MAX_REDIRECTS) throw new RedirectException(status, "too many redirects");
      URI next;
      try {
        // URI.resolve drops the slash of a path-less base ("http://h" + "x" = "http://hx").
        URI base = url.getRawPath() == null || url.getRawPath().isEmpty() ? url.resolve("/") : url;
        next = base.resolve(new URI(location));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new RedirectException(status, "redirect to a malformed Location: " + location);
      }
      if (!Http.isHttp(next)) throw new RedirectException(status, "redirect to a non-HTTP URL: " + next);
      // Credentials set by the caller are for the original origin only.
      crossOrigin |= !Http.sameOrigin(url, next);
      if ((status == 303 && !method.equals("HEAD"))
          || ((status == 301 || status == 302) && method.equals("POST"))) {
        method = "GET";
        requestBody = null;
      }
      url = next;
    }
  }

  private HttpRequest request(URI url, String method, byte[] requestBody, String lastEventId,
      boolean crossOrigin) {
    // No HttpRequest.timeout(): newer JDKs apply it to the whole (endless) body, JDK-8208693.
    // The read timeout is the source's own watchdog.
    HttpRequest.Builder b = HttpRequest.newBuilder(url);
    b.setHeader("Accept", "text/event-stream");
    b.setHeader("Cache-Control", "no-cache");
    b.setHeader("Pragma", "no-cache");
    boolean contentType = false;
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      String name = h.getKey();
      if (crossOrigin && (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Cookie"))) {
        continue;
      }
      contentType |= name.equalsIgnoreCase("Content-Type");
      b.setHeader(name, h.getValue());
    }
    if (!lastEventId.isEmpty()) b.setHeader("Last-Event-ID", Http.utf8AsLatin1(lastEventId));
    if (requestBody != null) {
      if (!contentType) b.setHeader("Content-Type", "text/plain");
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(requestBody));
    } else if (method.equals("GET")) {
      b.GET(); // no "Content-Length: 0" on a GET, as browsers send none
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return b.build();
  }

  private HttpResponse<BodyStream> send(HttpRequest request)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<BodyStream>> f =
        client.sendAsync(request, info -> new BodyStream());
    synchronized (this) {
      if (aborted) {
        discard(f);
        throw new InterruptedException("aborted");
      }
      future = f;
    }
    HttpResponse<BodyStream> response;
    try {
      response = f.get();
    } catch (InterruptedException | CancellationException e) {
      discard(f);
      throw new InterruptedException("aborted");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) throw io;
      if (cause instanceof CancellationException) throw new InterruptedException("aborted");
      throw new IOException(cause);
    }
    synchronized (this) {
      future = null;
      body = response.body();
      if (aborted) {
        body.cancel();
        throw new InterruptedException("aborted");
      }
    }
    return response;
  }

  /** Cancels the request in flight or closes the body being read. Idempotent, any thread. */
  void abort() {
    CompletableFuture<HttpResponse<BodyStream>> f;
    BodyStream b;
    synchronized (this) {
      if (aborted) return;
      aborted = true;
      f = future;
      b = body;
    }
    if (f != null) discard(f);
    if (b != null) b.cancel();
  }

  /** After abort(): waits until the body delivers nothing more (on the loop thread only). */
  void awaitQuiescent() {
    BodyStream b;
    synchronized (this) {
      b = body;
    }
    if (b != null) b.awaitQuiescent();
  }

  synchronized boolean isAborted() {
    return aborted;
  }

  /** Cancels a request whose response nobody will read, closing it if it arrives anyway. */
  private static void discard(CompletableFuture<HttpResponse<BodyStream>> f) {
    f.cancel(true);
    f.thenAccept(r -> r.body().cancel());
  }
}
