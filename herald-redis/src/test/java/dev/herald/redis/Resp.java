package dev.herald.redis;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A minimal RESP2 client for the test helpers (readiness probes, INFO, SENTINEL queries): one
 * loopback connection, one command at a time, no Lettuce, so a helper's view of Redis never
 * depends on the code under test. Replies: simple and bulk strings as String, integers as Long,
 * arrays as List, nil as null; an error reply throws {@link ErrorReply}.
 */
final class Resp implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A plain connection to {@code 127.0.0.1:port}. */
  static Resp connect(int port) throws IOException {
    return connect(port, null);
  }

  /** A connection to {@code 127.0.0.1:port}, over TLS with {@code tls} unless it is null. */
  static Resp connect(int port, SSLContext tls) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) TIMEOUT.toMillis());
      s.setSoTimeout((int) TIMEOUT.toMillis());
      if (tls != null) s = tls.getSocketFactory().createSocket(s, "127.0.0.1", port, true);
      return new Resp(s);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  Object call(String... args) throws IOException {
    ByteArrayOutputStream command = new ByteArrayOutputStream();
    command.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      command.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      command.writeBytes(bytes);
      command.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.write(command.toByteArray());
    out.flush();
    return read();
  }

  private Object read() throws IOException {
    String line = line();
    String rest = line.substring(1);
    switch (line.charAt(0)) {
      case '+':
        return rest;
      case '-':
        throw new ErrorReply(rest);
      case ':':
        return Long.parseLong(rest);
      case '$': {
        int n = Integer.parseInt(rest);
        if (n < 0) return null;
        byte[] bytes = in.readNBytes(n + 2);
        if (bytes.length < n + 2) throw new EOFException("bulk string cut short");
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(rest);
        if (n < 0) return null;
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) items.add(read());
        return items;
      }
      default:
        throw new IOException("not a RESP2 reply: " + line);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    for (int b; (b = in.read()) != -1; previous = b) {
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    throw new EOFException("connection closed");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** An error reply ({@code -ERR ...}, {@code -NOAUTH ...}, {@code -LOADING ...}). */
  static final class ErrorReply extends IOException {
    private static final long serialVersionUID = 1L;

    ErrorReply(String message) {
      super(message);
    }
  }
}
