package dev.herald.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw socket that reads several plain responses in a row (each with {@code Content-Length}), for
 * pipelining and refusals: what {@link RawClient}, made for one response and its stream, does not.
 * Reads are bounded by generous deadlines.
 */
final class Wire implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(10);

  /** One response as it came on the wire. */
  record Response(String statusLine, Map<String, String> headers, String body) {
    int status() {
      return Integer.parseInt(statusLine.split(" ")[1]);
    }
  }

  final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private boolean eof;

  private Wire(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  /** Connects to the server on loopback from {@code localAddress} (any 127.x.y.z works on Linux). */
  static Wire connect(int port, String localAddress) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(localAddress, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
    s.setSoTimeout(100);
    return new Wire(s);
  }

  static Wire connect(int port) throws IOException {
    return connect(port, "127.0.0.1");
  }

  Wire send(String bytes) throws IOException {
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    return this;
  }

  /** The next whole response. */
  Response read() throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int headEnd;
    while ((headEnd = text().indexOf("\r\n\r\n")) < 0) {
      if (!readMore(deadline)) throw new IOException("no response head; got " + RawClient.quote(text()));
    }
    String[] lines = text().substring(0, headEnd).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
    int bodyStart = headEnd + 4;
    while (length >= 0 ? bytes().length < bodyStart + length : !eof) {
      if (!readMore(deadline)) {
        if (length < 0 && eof) break;
        throw new IOException("body incomplete; got " + RawClient.quote(text()));
      }
    }
    byte[] all = bytes();
    int end = length >= 0 ? bodyStart + length : all.length;
    String body = new String(all, bodyStart, end - bodyStart, StandardCharsets.UTF_8);
    buffer.reset();
    buffer.write(all, end, all.length - end);
    return new Response(lines[0], headers, body);
  }

  /** Whether the server closed the connection (after what was read) within the wait. */
  boolean closed() throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!eof) {
      if (!readMore(deadline) && !eof) return false;
    }
    return buffer.size() == 0;
  }

  /** Whether the server sent something not yet read. */
  boolean hasBytes() {
    try {
      return buffer.size() > 0 || in.available() > 0;
    } catch (IOException e) {
      return true; // reset: reading will say what happened
    }
  }

  /** Reads until what came after the responses read so far contains {@code text}; returns it. */
  String awaitRest(String text) throws IOException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!text().contains(text)) {
      if (!readMore(deadline)) throw new IOException("never got " + RawClient.quote(text) + "; got " + RawClient.quote(text()));
    }
    return text();
  }

  private byte[] bytes() {
    return buffer.toByteArray();
  }

  private String text() {
    return buffer.toString(StandardCharsets.UTF_8);
  }

  private boolean readMore(long deadline) throws IOException {
    byte[] b = new byte[8192];
    while (System.nanoTime() < deadline) {
      try {
        int n = in.read(b);
        if (n < 0) {
          eof = true;
          return false;
        }
        buffer.write(b, 0, n);
        return true;
      } catch (SocketTimeoutException e) {
        // keep waiting until the deadline
      } catch (IOException e) {
        eof = true; // reset by the peer
        return false;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
