package dev.herald.bench.replay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * The clients of the replay storm: {@code --clients} connections that all resume from {@code
 * earliest} at once, on one selector thread, each checking that it receives ids 1 to {@code
 * --events} exactly once and in order (a lost, repeated or reordered event fails it), then
 * closing. Prints the outcome and the server's {@code /stats}; exits non-zero if any client failed.
 *
 * <p>Usage: {@code ReplayStormClients [--port 18090] [--clients 10000] [--events 100000]
 * [--timeout-s 1800]}. The ids are the SQLite log's positions, so a full history of N events
 * written to a fresh store is 1..N.
 */
public final class ReplayStormClients {
  private static final byte[] REQUEST = ("GET /events?topic=storm HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      + "Accept: text/event-stream\r\nLast-Event-ID: earliest\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PREFIX = "id: ".getBytes(StandardCharsets.US_ASCII);

  /** One connection's scan of the bytes for {@code id: } at a line start (the data is all 'x'). */
  private static final class Client {
    int matched; // bytes of PREFIX matched since a line start; -1 off a line start
    long id = -1; // the id being read, -1 when not in one
    long expected = 1;
    String failure;

    /** Returns true once every event arrived. */
    boolean scan(ByteBuffer buf, long events) {
      while (buf.hasRemaining()) {
        byte b = buf.get();
        if (id >= 0) {
          if (b == '\n') {
            if (id != expected) {
              failure = "expected id " + expected + ", got " + id;
              return false;
            }
            expected++;
            id = -1;
            matched = 0;
            if (expected > events) return true;
          } else {
            id = id * 10 + (b - '0');
          }
        } else if (b == '\n') {
          matched = 0;
        } else if (matched >= 0 && b == PREFIX[matched]) {
          if (++matched == PREFIX.length) id = 0;
        } else {
          matched = -1;
        }
      }
      return false;
    }
  }

  private ReplayStormClients() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(arg(args, "--port", "18090"));
    int clients = Integer.parseInt(arg(args, "--clients", "10000"));
    long events = Long.parseLong(arg(args, "--events", "100000"));
    long deadline = System.nanoTime() + Long.parseLong(arg(args, "--timeout-s", "1800")) * 1_000_000_000L;

    Selector selector = Selector.open();
    long start = System.nanoTime();
    int opened = 0;
    int done = 0;
    int failed = 0;
    long bytes = 0;
    ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
    while (done + failed < clients && System.nanoTime() < deadline) {
      // Connect in steps of 500, so the listen backlog never overflows, yet all are in within seconds.
      for (int i = 0; i < 500 && opened < clients; i++, opened++) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.connect(new InetSocketAddress("127.0.0.1", port));
        ch.register(selector, SelectionKey.OP_CONNECT, new Client());
      }
      selector.select(100);
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        SocketChannel ch = (SocketChannel) key.channel();
        Client c = (Client) key.attachment();
        try {
          if (key.isConnectable()) {
            ch.finishConnect();
            ch.write(ByteBuffer.wrap(REQUEST)); // small enough for an empty socket buffer
            key.interestOps(SelectionKey.OP_READ);
            continue;
          }
          buf.clear();
          int n = ch.read(buf);
          if (n < 0) {
            c.failure = "closed by the server after id " + (c.expected - 1);
          } else {
            bytes += n;
            buf.flip();
            if (c.scan(buf, events)) {
              done++;
              key.cancel();
              ch.close();
              continue;
            }
          }
        } catch (IOException e) {
          c.failure = e.toString();
        }
        if (c.failure != null) {
          if (failed++ < 10) System.out.println("client failed: " + c.failure);
          key.cancel();
          ch.close();
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("RESULT clients=%d complete=%d failed=%d unfinished=%d events=%d bytes=%d seconds=%.1f MB/s=%.1f%n",
        clients, done, failed, clients - done - failed, events, bytes, seconds, bytes / seconds / 1e6);
    HttpResponse<String> stats = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats")).build(),
        HttpResponse.BodyHandlers.ofString());
    System.out.print("SERVER " + stats.body());
    System.exit(done == clients ? 0 : 1);
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) return args[i + 1];
    }
    return fallback;
  }
}
