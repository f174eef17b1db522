package dev.herald.servlet;

import dev.herald.protocol.EventStreamParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw-socket HTTP/1.1 client that reads a chunked response strictly: every chunk-size line must be
 * hex digits and CRLF, every chunk's data must be followed by CRLF, and the body ends with the
 * zero-size chunk. Any other byte is a {@link FramingError} carrying what was on the wire, which is
 * what a JDK or Netty client reports as "chunked transfer encoding, state: READING_LENGTH". The body
 * goes through Herald's {@link EventStreamParser}. Several requests may follow one another on one
 * connection ({@link #send}, then {@link #readHead} and {@link #readBody}), as keep-alive does.
 */
final class ChunkedStream implements AutoCloseable {
  /** The bytes on the wire were not chunked framing. */
  static final class FramingError extends IOException {
    FramingError(String message) {
      super(message);
    }
  }

  /** A status line and headers (names lower case). */
  record Head(int status, Map<String, String> headers) {
    boolean chunked() {
      return "chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  /** Chunk-size lines read so far, on every response of this connection. */
  int chunks;

  ChunkedStream(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
    socket.setSoTimeout(60_000); // a stuck read fails the test rather than hang it
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = socket.getOutputStream();
  }

  /** Where a body's bytes go: {@code EventStreamParser::feed}, say. */
  interface Sink {
    void feed(byte[] bytes, int offset, int length);
  }

  /** Sends a GET of {@code target} asking for an event stream, with a Last-Event-ID when given. */
  ChunkedStream send(String target, String lastEventId) throws IOException {
    return sendRaw(target, lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n");
  }

  /** The same with {@code headerLines} (each ending in CRLF) added. */
  ChunkedStream send(String target, String lastEventIdOrNothing, String headerLines) throws IOException {
    return sendRaw(target, (lastEventIdOrNothing == null ? "" : "Last-Event-ID: " + lastEventIdOrNothing + "\r\n") + headerLines);
  }

  private ChunkedStream sendRaw(String target, String headerLines) throws IOException {
    return get(target, "Accept: text/event-stream\r\n" + headerLines);
  }

  /** Sends a GET of {@code target} with {@code headerLines} (each ending in CRLF) and Host only. */
  ChunkedStream get(String target, String headerLines) throws IOException {
    String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headerLines + "\r\n";
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
    return this;
  }

  Head readHead() throws IOException {
    String status = line();
    if (!status.startsWith("HTTP/1.1 ")) throw new FramingError("not a status line: " + printable(status));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(); !h.isEmpty(); h = line()) {
      int colon = h.indexOf(':');
      if (colon <= 0) throw new FramingError("not a header line: " + printable(h));
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    return new Head(Integer.parseInt(status.substring(9, 12)), headers);
  }

  /** {@link #readBody(Head, Sink)} into an event-stream parser. */
  boolean readBody(Head head, EventStreamParser parser) throws IOException {
    return readBody(head, parser::feed);
  }

  /**
   * Reads a body to its end into {@code parser}: chunked (strictly), by Content-Length, or to the
   * connection's close.
   *
   * @return true if the body ended cleanly (the zero chunk, or all of its length); false if the
   *     connection closed first
   */
  boolean readBody(Head head, Sink parser) throws IOException {
    if (!head.chunked()) {
      String length = head.headers().get("content-length");
      byte[] body = length == null ? in.readAllBytes() : in.readNBytes(Integer.parseInt(length));
      parser.feed(body, 0, body.length);
      return length == null || body.length == Integer.parseInt(length);
    }
    byte[] buf = new byte[16 * 1024];
    while (true) {
      String sizeLine = chunkSizeLine();
      if (sizeLine == null) return false; // closed between chunks: cut, not misframed
      chunks++;
      if (sizeLine.isEmpty() || sizeLine.length() > 8 || !sizeLine.chars().allMatch(ChunkedStream::hex)) {
        throw new FramingError("chunk " + chunks + ": the size line is not hex: " + printable(sizeLine));
      }
      int size = Integer.parseInt(sizeLine, 16);
      if (size == 0) {
        expectCrlf("after the last chunk");
        return true;
      }
      int left = size;
      while (left > 0) {
        int n = in.read(buf, 0, Math.min(buf.length, left));
        if (n < 0) return false; // closed mid-chunk: an abort
        parser.feed(buf, 0, n);
        left -= n;
      }
      expectCrlf("after chunk " + chunks + " of " + size + " bytes");
    }
  }

  /** The next chunk-size line without its CRLF, or null if the connection closed before it. */
  private String chunkSizeLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (line.size() == 0) return null;
        throw new FramingError("closed within a chunk-size line: " + printable(line.toString(StandardCharsets.ISO_8859_1)));
      }
      if (b == '\r') {
        int lf = in.read();
        if (lf != '\n') throw new FramingError("CR without LF after chunk-size " + printable(line.toString(StandardCharsets.ISO_8859_1)));
        return line.toString(StandardCharsets.ISO_8859_1);
      }
      line.write(b);
      if (line.size() > 64) throw new FramingError("chunk-size line too long: " + printable(line.toString(StandardCharsets.ISO_8859_1)));
    }
  }

  private void expectCrlf(String where) throws IOException {
    int cr = in.read();
    int lf = cr < 0 ? -1 : in.read();
    if (cr < 0 || (cr == '\r' && lf < 0)) return; // closed: the caller sees it at the next read
    if (cr != '\r' || lf != '\n') {
      byte[] more = new byte[48];
      int n = Math.max(0, in.readNBytes(more, 0, Math.min(more.length, in.available())));
      throw new FramingError("no CRLF " + where + ": " + printable((char) cr + "" + (char) lf
          + new String(more, 0, n, StandardCharsets.ISO_8859_1)));
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) throw new IOException("closed within the response head");
      line.write(b);
    }
    String s = line.toString(StandardCharsets.ISO_8859_1);
    if (!s.endsWith("\r")) throw new FramingError("a head line without CR: " + printable(s));
    return s.substring(0, s.length() - 1);
  }

  private static boolean hex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static String printable(String s) {
    return '"' + s.replace("\r", "\\r").replace("\n", "\\n") + '"';
  }

  /** Hangs up at once: a reset rather than a polite close, as a client that crashed or navigated away. */
  void hangUp() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
