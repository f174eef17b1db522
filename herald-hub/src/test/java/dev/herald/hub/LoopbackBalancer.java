package dev.herald.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A test-only TCP load balancer on a loopback port, as a deployment puts in front of hub nodes: each
 * accepted connection goes to the first backend, in list order, that accepts a connect, and bytes
 * are copied unchanged both ways. A node that died refuses connects, so new connections land on
 * the next one while the client's URL stays the same. There are no health checks: a connection
 * lives and dies with its backend's.
 */
final class LoopbackBalancer implements AutoCloseable {
  /** Connect attempt to one backend; loopback refuses at once, this only bounds a stuck backend. */
  private static final int CONNECT_TIMEOUT_MILLIS = 2_000;

  private final List<Integer> backendPorts;
  private final AtomicIntegerArray connections;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;

  /** Listens on a free loopback port, forwarding to the backends on {@code backendPorts}, first first. */
  LoopbackBalancer(List<Integer> backendPorts) throws IOException {
    this.backendPorts = List.copyOf(backendPorts);
    this.connections = new AtomicIntegerArray(backendPorts.size());
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "balancer-accept-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Connections forwarded so far to the backend listening on {@code backendPort}. */
  int connectionsTo(int backendPort) {
    int i = backendPorts.indexOf(backendPort);
    if (i < 0) throw new IllegalArgumentException("not a backend: " + backendPort);
    return connections.get(i);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Thread t = new Thread(() -> forward(client), "balancer-connect");
      t.setDaemon(true);
      t.start();
    }
  }

  private void forward(Socket client) {
    track(client);
    Socket backend = connectToFirstAvailable();
    if (backend == null) {
      closeQuietly(client); // no node left: the client sees its connection closed
      return;
    }
    track(backend);
    Pipe up = new Pipe(client, backend);
    Pipe down = new Pipe(backend, client);
    up.peer = down;
    down.peer = up;
    start(up, "balancer-up");
    start(down, "balancer-down");
  }

  private Socket connectToFirstAvailable() {
    for (int i = 0; i < backendPorts.size(); i++) {
      Socket s = new Socket();
      try {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPorts.get(i)), CONNECT_TIMEOUT_MILLIS);
        connections.incrementAndGet(i);
        return s;
      } catch (IOException refused) {
        closeQuietly(s); // that node is down: try the next one
      }
    }
    return null;
  }

  /**
   * Copies one direction. End of stream is passed on as a half close, so a response written just
   * before the backend closed is delivered whole; a reset or any other error closes both sockets
   * at once, as the client would see it without a balancer.
   */
  private final class Pipe implements Runnable {
    final Socket from;
    final Socket to;
    volatile Pipe peer;
    volatile boolean done;

    Pipe(Socket from, Socket to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public void run() {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
        done = true;
        if (peer.done) closeBoth();
      } catch (IOException e) {
        closeBoth();
      }
    }

    private void closeBoth() {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void start(Runnable r, String name) {
    Thread t = new Thread(r, name + "-" + port());
    t.setDaemon(true);
    t.start();
  }

  private void track(Socket s) {
    open.add(s);
    if (server.isClosed()) closeQuietly(s);
  }

  private void closeQuietly(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  /** Stops accepting and closes every connection it forwards. */
  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    acceptor.join(5_000);
    for (Socket s : open) closeQuietly(s);
  }
}
