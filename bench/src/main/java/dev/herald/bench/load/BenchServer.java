package dev.herald.bench.load;

import dev.herald.protocol.Event;
import dev.herald.server.EventLog;
import dev.herald.server.HeraldServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.ThreadExecutorMap;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server under test: an embedded {@link HeraldServer} plus a minimal control endpoint for the
 * load generator, on a second port:
 *
 * <ul>
 *   <li>{@code POST /publish?topic=T} with the body as data: 200 with the id once the event went
 *       out: once Herald's event loop ran the fan-out task that wrote and flushed it to every
 *       subscriber, which is when Nchan acknowledges too. With {@code &ack=publish}: as soon as
 *       {@code broker.publish} completes, which Herald does before the fan-out.
 *   <li>{@code GET /last}: the highest id acknowledged so far (ids are the log's positions).
 *   <li>{@code GET /mem}: after two full GCs, {@code rss=.. heapUsed=.. connections=..} in bytes.
 *   <li>{@code POST /quit}: closes the server and exits.
 * </ul>
 *
 * <p>Usage: {@code BenchServer [--port 8080] [--control-port 8081] [--io-threads 1]}. Prints
 * {@code pid=.. port=.. controlPort=..} once serving. The control endpoint has its own single
 * thread; pin the whole process with {@code taskset -c 0}.
 */
public final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    int port = a.intValue("--port", 8080);
    int controlPort = a.intValue("--control-port", 8081);
    int ioThreads = a.intValue("--io-threads", 1);
    Set<EventExecutor> ioLoops = ConcurrentHashMap.newKeySet();
    HeraldServer server = HeraldServer.builder()
        .bindAddress("127.0.0.1")
        .port(port)
        .ioThreads(ioThreads)
        .heartbeatInterval(Duration.ofHours(1)) // no heartbeat traffic inside a measurement
        // The load generator is one loopback address opening tens of thousands of connections at once.
        .maxConnections(Integer.MAX_VALUE).maxStreams(Integer.MAX_VALUE).maxConnectionsPerAddress(Integer.MAX_VALUE)
        // Stream handlers run on Herald's event loops: the probe route learns them.
        .route(PROBE_PATH, (request, stream) -> ioLoops.add(ThreadExecutorMap.currentExecutor()))
        .build()
        .start();
    List<Socket> probes = probeLoops(server.port(), ioThreads, ioLoops);
    EventLoopGroup control = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bench-control", true),
        Transport.ioHandler());
    CountDownLatch quit = new CountDownLatch(1);
    AtomicLong lastId = new AtomicLong();
    Channel controlChannel = new ServerBootstrap()
        .group(control)
        .channel(Transport.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new ControlHandler(server, lastId, quit, List.copyOf(ioLoops)));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", controlPort)).sync().channel();
    System.out.println("pid=" + ProcessHandle.current().pid() + " port=" + server.port()
        + " controlPort=" + ((InetSocketAddress) controlChannel.localAddress()).getPort()
        + " ioThreads=" + ioThreads + " transport=" + Transport.name());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(quit::countDown));
    quit.await();
    controlChannel.close().syncUninterruptibly();
    for (Socket probe : probes) probe.close();
    server.close();
    control.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static final String PROBE_PATH = "/bench-probe";

  /**
   * Opens per-request streams to the probe route until every event loop of Herald was seen (new
   * channels go to the loops in turn). Their connections stay open, idle, until the end.
   */
  private static List<Socket> probeLoops(int port, int ioThreads, Set<EventExecutor> seen) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    byte[] request = ("GET " + PROBE_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (seen.size() < ioThreads && System.nanoTime() < deadline) {
      if (sockets.size() < 4 * ioThreads) {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(request);
        sockets.add(s);
      }
      Thread.sleep(20);
    }
    if (seen.size() < ioThreads) throw new IllegalStateException("saw " + seen.size() + " of " + ioThreads + " event loops");
    return sockets;
  }

  private static final class ControlHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final List<String> NO_TOPIC = List.of();
    private final HeraldServer server;
    private final AtomicLong lastId;
    private final CountDownLatch quit;
    private final List<EventExecutor> ioLoops;

    ControlHandler(HeraldServer server, AtomicLong lastId, CountDownLatch quit, List<EventExecutor> ioLoops) {
      this.server = server;
      this.lastId = lastId;
      this.quit = quit;
      this.ioLoops = ioLoops;
    }

    /**
     * Runs {@code then} once every loop ran the tasks queued before it: the fan-out of an event
     * published before this call is one of them (a loop's tasks run in order).
     */
    private void afterFanOut(Runnable then) {
      AtomicInteger left = new AtomicInteger(ioLoops.size());
      for (EventExecutor loop : ioLoops) {
        loop.execute(() -> {
          if (left.decrementAndGet() == 0) then.run();
        });
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      QueryStringDecoder uri = new QueryStringDecoder(req.uri());
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      switch (uri.path()) {
        case "/publish": {
          List<String> topics = uri.parameters().getOrDefault("topic", NO_TOPIC);
          if (!req.method().equals(HttpMethod.POST) || topics.isEmpty()) {
            reply(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, "POST /publish?topic=T with the data as body");
            return;
          }
          String data = req.content().toString(StandardCharsets.UTF_8);
          boolean afterFanOut = !"publish".equals(uri.parameters().getOrDefault("ack", NO_TOPIC).stream().findFirst().orElse(""));
          server.broker().publish(topics, Event.of(data)).whenComplete((id, error) -> {
            if (error != null) {
              reply(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error));
              return;
            }
            lastId.accumulateAndGet(Long.parseLong(id.substring(EventLog.ASSIGNED_ID_MARK.length())), Math::max);
            if (afterFanOut) {
              afterFanOut(() -> reply(ctx, keepAlive, HttpResponseStatus.OK, id));
            } else {
              reply(ctx, keepAlive, HttpResponseStatus.OK, id);
            }
          });
          return;
        }
        case "/last":
          reply(ctx, keepAlive, HttpResponseStatus.OK, Long.toString(lastId.get()));
          return;
        case "/mem":
          reply(ctx, keepAlive, HttpResponseStatus.OK, memory(server));
          return;
        case "/quit":
          reply(ctx, false, HttpResponseStatus.OK, "bye");
          quit.countDown();
          return;
        default:
          reply(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "unknown " + uri.path());
      }
    }

    private static void reply(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
      ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      if (ctx.executor().inEventLoop()) {
        write(ctx, keepAlive, res);
      } else {
        ctx.executor().execute(() -> write(ctx, keepAlive, res));
      }
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
      if (keepAlive) {
        ctx.writeAndFlush(res, ctx.voidPromise());
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
    }
  }

  /** Live heap after full GCs and the process's resident set: the idle-memory scenario's inputs. */
  static String memory(HeraldServer server) {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 2; i++) {
      System.gc();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return "rss=" + Proc.rssBytes(ProcessHandle.current().pid())
        + " heapUsed=" + mx.getHeapMemoryUsage().getUsed()
        + " heapCommitted=" + mx.getHeapMemoryUsage().getCommitted()
        + " nonHeapUsed=" + mx.getNonHeapMemoryUsage().getUsed()
        + " nettyDirect=" + PlatformDependent.usedDirectMemory()
        + " connections=" + server.broker().connectionCount();
  }
}
