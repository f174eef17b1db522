package dev.herald.bench.client;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-socket SSE server on 127.0.0.1 for client benchmarks: every connection gets a 200
 * {@code text/event-stream} response whose chunked body is a pre-encoded stream of {@code events}
 * small JSON events ({@code id} + one {@code data} line, about 80 bytes each), then the terminating
 * chunk. The server does no work per event, so the figure measures the client.
 */
public final class LoopbackSseServer implements AutoCloseable {
  /** Body bytes per HTTP chunk: about what a real server flushes under load. */
  static final int CHUNK_BYTES = 16 * 1024;

  private final ServerSocket server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "bench-sse-server");
    t.setDaemon(true);
    return t;
  });
  private final byte[] chunkedBody;
  private volatile boolean closed;

  public LoopbackSseServer(int events) throws IOException {
    this.chunkedBody = chunked(encode(events));
    this.server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    pool.execute(this::acceptLoop);
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/events");
  }

  /** The event stream: {@code id: n}, {@code data: {...}}, blank line. */
  static byte[] encode(int events) {
    StringBuilder s = new StringBuilder(events * 90);
    for (int i = 1; i <= events; i++) {
      s.append("id: ").append(i).append("\ndata: {\"seq\":").append(i)
          .append(",\"sym\":\"EURUSD\",\"bid\":1.0842,\"ask\":1.0844}\n\n");
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] chunked(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / 100 + 64);
    for (int off = 0; off < body.length; off += CHUNK_BYTES) {
      int n = Math.min(CHUNK_BYTES, body.length - off);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(body, off, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket s = server.accept();
        pool.execute(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      int state = 0;
      while (state < 4) { // skip the request head
        int b = in.read();
        if (b < 0) return;
        state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
            ? state + 1 : (b == '\r' ? 1 : 0);
      }
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
          + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(chunkedBody);
      out.flush();
      socket.shutdownOutput();
      while (in.read() >= 0) {
        // Until the client closes.
      }
    } catch (IOException e) {
      // The client closed early: fine.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    pool.shutdownNow();
  }
}
