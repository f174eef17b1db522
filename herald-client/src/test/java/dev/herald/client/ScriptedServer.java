package dev.herald.client;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server on 127.0.0.1 for the client's tests, scripted per connection: each
 * accepted connection has its request recorded, then plays the next enqueued {@link Script} (or
 * the default one, or stalls). Scripts send exact bytes, chunk by chunk, pause on latches, cut the
 * connection mid-event or stall until the client goes away.
 */
final class ScriptedServer implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "scripted-server");
    t.setDaemon(true);
    return t;
  });
  private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
  private final BlockingQueue<RecordedRequest> requests = new LinkedBlockingQueue<>();
  private final BlockingQueue<Integer> clientCloses = new LinkedBlockingQueue<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile Script fallback;
  private volatile boolean closed;

  ScriptedServer() throws IOException {
    server = new ServerSocket(0, 200, InetAddress.getByName("127.0.0.1"));
    pool.execute(this::acceptLoop);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
  }

  String origin() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  ScriptedServer enqueue(Script script) {
    scripts.add(script);
    return this;
  }

  /** The script played when none is enqueued (by default the connection stalls). */
  void setDefault(Script script) {
    fallback = script;
  }

  RecordedRequest takeRequest() throws InterruptedException {
    RecordedRequest r = requests.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) fail("no request within " + TIMEOUT);
    return r;
  }

  /** Fails if a request arrives within {@code wait}. */
  void assertNoRequest(Duration wait) throws InterruptedException {
    RecordedRequest r = requests.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    if (r != null) fail("unexpected request: " + r);
  }

  int requestCount() {
    return accepted.get();
  }

  /** Waits until the client closes a connection this server was stalling or writing to. */
  void awaitClientClose() throws InterruptedException {
    if (clientCloses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) == null) {
      fail("the client did not close its connection within " + TIMEOUT);
    }
  }

  int openConnections() {
    return open.size();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    for (Socket s : open) s.close();
    pool.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        socket.setTcpNoDelay(true);
        open.add(socket);
        pool.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      RecordedRequest request = readRequest(in);
      if (request == null) return;
      accepted.incrementAndGet();
      requests.add(request);
      Script script = scripts.poll();
      if (script == null) script = fallback;
      if (script == null) script = Script.raw("").stall();
      script.play(socket, in, this);
    } catch (IOException | InterruptedException e) {
      // The client went away or the server is closing.
    } finally {
      open.remove(socket);
    }
  }

  void clientClosed() {
    clientCloses.add(1);
  }

  private static RecordedRequest readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) return null;
      head.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
          ? state + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] requestLine = lines[0].split(" ");
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) continue;
      headers.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
          k -> new ArrayList<>()).add(lines[i].substring(colon + 1).strip());
    }
    byte[] body = new byte[0];
    List<String> length = headers.get("content-length");
    if (length != null) body = in.readNBytes(Integer.parseInt(length.get(0)));
    return new RecordedRequest(requestLine[0], requestLine[1], headers, body);
  }

  /** A request as it arrived; header values are ISO-8859-1, one char per byte. */
  record RecordedRequest(String method, String path, Map<String, List<String>> headers, byte[] body) {
    /** The only value of a header, or null; fails if it was sent twice. */
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      if (values == null) return null;
      if (values.size() != 1) fail("header " + name + " sent " + values.size() + " times");
      return values.get(0);
    }

    /** A header value's bytes decoded as UTF-8. */
    String headerUtf8(String name) {
      String v = header(name);
      return v == null ? null : new String(v.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** What one connection answers: a list of steps played in order. */
  static final class Script {
    private interface Step {
      /** Returns false when the connection must not be ended cleanly afterwards. */
      boolean play(Socket socket, InputStream in, OutputStream out, ScriptedServer server)
          throws IOException, InterruptedException;
    }

    private final List<Step> steps = new ArrayList<>();
    private boolean chunked;

    /** 200 with text/event-stream, chunked; the body follows with {@link #send}. */
    static Script ok() {
      return okWithHeaders("Content-Type: text/event-stream");
    }

    /** 200, chunked, with exactly these extra header lines (e.g. another Content-Type). */
    static Script okWithHeaders(String... headerLines) {
      StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
      for (String h : headerLines) head.append(h).append("\r\n");
      head.append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
      Script s = raw(head.toString());
      s.chunked = true;
      return s;
    }

    /** An empty response with this status and header lines. */
    static Script status(int code, String... headerLines) {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + code + " Status\r\n");
      for (String h : headerLines) head.append(h).append("\r\n");
      if (code != 204 && code != 304) head.append("Content-Length: 0\r\n");
      return raw(head.append("Connection: close\r\n\r\n").toString());
    }

    /** Exactly these bytes (ISO-8859-1), then whatever steps follow. */
    static Script raw(String bytes) {
      Script s = new Script();
      byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
      s.steps.add((socket, in, out, server) -> {
        if (b.length > 0) {
          out.write(b);
          out.flush();
        }
        return true;
      });
      return s;
    }

    /** Sends body text (UTF-8), as one chunk when chunked. */
    Script send(String text) {
      return send(text.getBytes(StandardCharsets.UTF_8));
    }

    Script send(byte[] bytes) {
      boolean asChunk = chunked;
      steps.add((socket, in, out, server) -> {
        if (asChunk) {
          ByteArrayOutputStream chunk = new ByteArrayOutputStream();
          chunk.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          chunk.write(bytes);
          chunk.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.write(chunk.toByteArray());
        } else {
          out.write(bytes);
        }
        out.flush();
        return true;
      });
      return this;
    }

    /** Waits for the test to count the latch down. */
    Script await(CountDownLatch latch) {
      steps.add((socket, in, out, server) -> {
        if (!latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) fail("latch never released");
        return true;
      });
      return this;
    }

    /** Counts the latch down when reached: tells the test the steps before it were played. */
    Script signal(CountDownLatch latch) {
      steps.add((socket, in, out, server) -> {
        latch.countDown();
        return true;
      });
      return this;
    }

    /** Paces the stream (a throttled body), not a synchronisation. */
    Script pause(Duration pause) {
      steps.add((socket, in, out, server) -> {
        Thread.sleep(pause.toMillis());
        return true;
      });
      return this;
    }

    /** Holds the connection open, sending nothing, until the client closes it. */
    Script stall() {
      steps.add((socket, in, out, server) -> {
        while (in.read() >= 0) {
          // Discard anything the client sends until it closes.
        }
        server.clientClosed();
        return false;
      });
      return this;
    }

    /** Drops the connection abruptly: no terminating chunk, an RST where the OS allows. */
    Script cut() {
      steps.add((socket, in, out, server) -> {
        socket.setSoLinger(true, 0);
        socket.close();
        return false;
      });
      return this;
    }

    void play(Socket socket, InputStream in, ScriptedServer server)
        throws IOException, InterruptedException {
      OutputStream out = socket.getOutputStream();
      for (Step step : steps) {
        if (!step.play(socket, in, out, server)) return;
      }
      if (chunked) {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      socket.shutdownOutput();
      // Wait for the client to close its side, so the end is seen as a clean end of body.
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      try {
        while (in.read() >= 0) {
          // Drain until the client closes.
        }
      } catch (IOException ignored) {
        // Timed out or reset: the connection is over either way.
      }
    }
  }
}
