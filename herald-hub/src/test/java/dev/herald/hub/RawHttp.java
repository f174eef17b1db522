package dev.herald.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A raw loopback socket to a hub, for what the JDK client hides: refusals at connect, partial requests. */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
  }

  RawHttp send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return this;
  }

  /** Sends a keep-alive {@code GET /healthz} and reads its answer: the connection is then admitted and idle. */
  RawHttp healthy() throws IOException {
    send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    readUntil("\r\n\r\nok");
    return this;
  }

  /** Reads until what arrived contains {@code marker}; fails at end of stream or after 30 s of silence. */
  String readUntil(String marker) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    while (!text().contains(marker)) {
      int n = in.read(buffer);
      if (n < 0) throw new IOException("closed before " + marker + "; received: " + text());
      received.write(buffer, 0, n);
    }
    return text();
  }

  /** Reads until the hub closes the connection; everything it sent. */
  String readToEnd() throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) received.write(buffer, 0, n);
    } catch (SocketTimeoutException e) {
      throw new IOException("not closed within 30 s; received: " + text(), e);
    } catch (IOException e) {
      // a reset after the answer: what arrived is what counts
    }
    return text();
  }

  private String text() {
    return received.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
