package dev.herald.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An HTTP/1.1 subscriber that stops reading once it has the response head, so the server's writes
 * pile up behind a full socket; later it reads everything up to the server's close and tells the
 * body (chunk framing removed) from whatever the server wrote after the body's last chunk, which
 * {@link RawClient} never shows.
 */
final class StalledClient implements AutoCloseable {
  /** What the server wrote after the response head. */
  record Wire(String body, boolean ended, String afterEnd) {}

  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
  private int bodyStart = -1;

  private StalledClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Sends {@code GET target} asking for an event stream, with extra header lines. */
  static StalledClient get(int port, String target, String... headerLines) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096); // a small window, so the server's writes stay on its side
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(100);
    StringBuilder r = new StringBuilder("GET " + target + " HTTP/1.1\r\n")
        .append("Host: 127.0.0.1\r\nAccept: text/event-stream\r\n");
    for (String h : headerLines) r.append(h).append("\r\n");
    s.getOutputStream().write(r.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return new StalledClient(s);
  }

  /** Reads until the response head arrived (with at most one read's worth of body), then stops. */
  StalledClient awaitHead() throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while ((bodyStart = text().indexOf("\r\n\r\n")) < 0) {
      if (!readMore(deadline)) throw new IOException("no response head; got: " + RawClient.quote(text()));
    }
    bodyStart += 4;
    if (!text().startsWith("HTTP/1.1 200 ")) throw new IOException("not a stream: " + RawClient.quote(text()));
    return this;
  }

  /** Reads until the server closes the connection, and splits what came after the head. */
  Wire readToClose(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (readMore(deadline)) {
      // everything, up to the close
    }
    if (System.nanoTime() >= deadline) throw new IOException("the server did not close the connection within " + wait);
    return decode(text().substring(bodyStart));
  }

  /**
   * Reads until what arrived ends with {@code last} (a frame's text, then its chunk's CRLF), and
   * returns the body so far, chunk framing removed.
   */
  String readUntilLast(String last, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    byte[] tail = (last + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    while (!endsWith(tail)) {
      if (!readMore(deadline)) throw new IOException("the stream did not end with " + RawClient.quote(last) + " within " + wait);
    }
    return decode(text().substring(bodyStart)).body();
  }

  private boolean endsWith(byte[] tail) {
    if (raw.size() < tail.length) return false;
    byte[] all = raw.toByteArray();
    return java.util.Arrays.equals(all, all.length - tail.length, all.length, tail, 0, tail.length);
  }

  private static Wire decode(String chunked) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      if (lineEnd < 0) return new Wire(body.toString(), false, chunked.substring(at));
      int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        boolean complete = chunked.startsWith("\r\n", lineEnd + 2);
        int end = complete ? lineEnd + 4 : lineEnd + 2;
        return new Wire(body.toString(), complete, chunked.substring(Math.min(end, chunked.length())));
      }
      if (chunked.length() < lineEnd + 2 + size + 2) return new Wire(body.toString(), false, chunked.substring(at));
      body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }

  private String text() {
    // Events here are ASCII; ISO-8859-1 keeps byte offsets equal to char offsets.
    return raw.toString(StandardCharsets.ISO_8859_1);
  }

  /** One read with the socket's short timeout; false once the deadline passed or the peer closed. */
  private boolean readMore(long deadline) throws IOException {
    byte[] buf = new byte[65536];
    while (System.nanoTime() < deadline) {
      try {
        int n = in.read(buf);
        if (n < 0) return false;
        raw.write(buf, 0, n);
        return true;
      } catch (SocketTimeoutException e) {
        // keep waiting until the deadline
      } catch (IOException e) {
        return false; // reset by peer
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
