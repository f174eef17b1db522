package dev.herald.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw-socket HTTP/1.1 client that shows the exact bytes a server writes: the status line, the
 * headers, and the body with the chunk framing removed. Reads are bounded by a deadline.
 */
final class RawClient implements AutoCloseable {
  private static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private byte[] raw = new byte[65536];
  private int rawLength;
  private int rawRead; // bytes of raw consumed by the chunk decoder
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean chunked;
  private boolean bodyEnded;
  private boolean eof;

  String statusLine;
  final Map<String, String> headers = new LinkedHashMap<>();

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RawClient connect(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(100);
    return new RawClient(s);
  }

  /** A client that reads nothing on its own and has a tiny receive window: a slow consumer. */
  static RawClient connectSlow(int port) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(100);
    return new RawClient(s);
  }

  RawClient send(String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  RawClient sendBytes(byte[] request) throws IOException {
    out.write(request);
    out.flush();
    return this;
  }

  /** GET {@code target} asking for an event stream, with extra header lines. */
  RawClient get(String target, String... headerLines) throws IOException {
    StringBuilder r = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n");
    for (String h : headerLines) r.append(h).append("\r\n");
    return send(r.append("\r\n").toString());
  }

  /** Reads the status line and headers. */
  RawClient readHead() throws IOException {
    long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
    int end;
    while ((end = indexOf(raw, 0, rawLength, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII))) < 0) {
      if (!readMore(deadline)) {
        throw new IOException("no response head; got: " + quote(new String(raw, 0, rawLength, StandardCharsets.UTF_8)));
      }
    }
    String head = new String(raw, 0, end, StandardCharsets.UTF_8);
    String[] lines = head.split("\r\n");
    statusLine = lines[0];
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    rawRead = end + 4;
    chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
    return this;
  }

  int status() {
    return Integer.parseInt(statusLine.split(" ")[1]);
  }

  /** Reads body bytes until the decoded body contains {@code text}; returns the whole body so far. */
  String awaitBody(String text) throws IOException {
    return awaitBody(text, DEFAULT_WAIT);
  }

  String awaitBody(String text, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!body().contains(text)) {
      if (!readMore(deadline)) {
        throw new IOException("body never contained " + quote(text) + "; body so far: " + quote(body()));
      }
    }
    return body();
  }

  /** Reads until the server ends the body (last chunk) or closes; returns the body. */
  String awaitEnd() throws IOException {
    long deadline = System.nanoTime() + DEFAULT_WAIT.toNanos();
    decode();
    while (!bodyEnded && !eof) {
      if (!readMore(deadline)) throw new IOException("body did not end; so far: " + quote(body()));
      decode();
    }
    return body();
  }

  /** Waits until the server closes the connection. */
  boolean awaitClosed(Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (!eof) {
      if (!readMore(deadline)) return eof;
    }
    return true;
  }

  /**
   * Reads until the unread part of the body contains {@code text}, then forgets the body up to and
   * including it: for long streams, where keeping everything would make each check slower.
   */
  void drainUntil(String text, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      String b = body();
      int at = b.indexOf(text);
      if (at >= 0) {
        byte[] rest = b.substring(at + text.length()).getBytes(StandardCharsets.UTF_8);
        body.reset();
        body.write(rest, 0, rest.length);
        return;
      }
      if (!readMore(deadline)) throw new IOException("never read " + quote(text));
    }
  }

  boolean bodyEnded() {
    return bodyEnded;
  }

  String body() {
    decode();
    return body.toString(StandardCharsets.UTF_8);
  }

  /** One read with the socket's short timeout; false once the deadline passed or the peer closed. */
  private boolean readMore(long deadline) throws IOException {
    byte[] buf = new byte[65536];
    while (System.nanoTime() < deadline) {
      try {
        int n = in.read(buf);
        if (n < 0) {
          eof = true;
          return false;
        }
        if (rawLength + n > raw.length) raw = java.util.Arrays.copyOf(raw, Math.max(raw.length * 2, rawLength + n));
        System.arraycopy(buf, 0, raw, rawLength, n);
        rawLength += n;
        return true;
      } catch (SocketTimeoutException e) {
        // keep waiting until the deadline
      } catch (IOException e) {
        eof = true; // reset by peer
        return false;
      }
    }
    return false;
  }

  private void decode() {
    if (statusLine == null) return;
    if (!chunked) {
      body.write(raw, rawRead, rawLength - rawRead);
      rawRead = rawLength;
      String length = headers.get("content-length");
      if (length != null && body.size() >= Integer.parseInt(length)) bodyEnded = true;
    } else {
      while (!bodyEnded) {
        int lineEnd = indexOf(raw, rawRead, rawLength, "\r\n".getBytes(StandardCharsets.US_ASCII));
        if (lineEnd < 0) break;
        int size = Integer.parseInt(new String(raw, rawRead, lineEnd - rawRead, StandardCharsets.US_ASCII).trim(), 16);
        if (size == 0) {
          if (rawLength < lineEnd + 4) break;
          bodyEnded = true;
          rawRead = lineEnd + 4;
          break;
        }
        if (rawLength < lineEnd + 2 + size + 2) break;
        body.write(raw, lineEnd + 2, size);
        rawRead = lineEnd + 2 + size + 2;
      }
    }
    // Forget what was decoded, so long streams stay cheap to read.
    System.arraycopy(raw, rawRead, raw, 0, rawLength - rawRead);
    rawLength -= rawRead;
    rawRead = 0;
  }

  private static int indexOf(byte[] a, int from, int length, byte[] b) {
    outer:
    for (int i = from; i <= length - b.length; i++) {
      for (int j = 0; j < b.length; j++) if (a[i + j] != b[j]) continue outer;
      return i;
    }
    return -1;
  }

  static String quote(String s) {
    return "\"" + s.replace("\r", "\\r").replace("\n", "\\n") + "\"";
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
