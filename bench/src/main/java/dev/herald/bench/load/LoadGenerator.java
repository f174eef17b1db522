package dev.herald.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;

/**
 * Loopback load generator for an SSE server: one Netty event-loop thread holds every subscriber
 * socket and the publisher connections; it publishes through {@link BenchServer}'s control
 * endpoint and checks every delivery.
 *
 * <pre>
 * LoadGenerator --subscribers 1000 --rate 100 --events 2000       # fixed rate
 * LoadGenerator --subscribers 1000 --rate 0 --in-flight 4 --duration-s 10   # as fast as acked
 * LoadGenerator ... --ack publish      # the server acknowledges before the fan-out, not after
 * LoadGenerator ... --window delivered # in flight until every subscriber got the event
 * LoadGenerator --mode idle --subscribers 10000                   # memory per idle connection
 * </pre>
 *
 * <p>Each event's data is {@code <System.nanoTime() at send> xxx...} ({@code --payload} bytes):
 * CLOCK_MONOTONIC, comparable across processes on one machine. Bounded: it stops after
 * {@code --events} or {@code --duration-s}, waits at most {@code --drain-s} for deliveries, and
 * exits 0 only when every subscriber got every event once, in order.
 */
public final class LoadGenerator implements Publisher.Acks {
  private final String host;
  private final int port;
  private final int controlPort;
  private final String topic;
  private final int subscriberCount;
  private final int sources;
  private final long maxEvents;
  private final double rate;
  private final int inFlight;
  /** As fast as: false, an event is in flight until acknowledged; true, until every subscriber got it. */
  private final boolean windowDelivered;
  /** Whether the server acknowledges when broker.publish completes (before the fan-out) or after it. */
  private final boolean ackOnPublish;
  private final long durationNanos;
  private final int payloadBytes;
  private final long serverPid;
  private final int serverCpu;
  private final int loadCpu;
  private final String label;
  /** Null: the bench server; otherwise any hub ({@code herald bench}). */
  private final Target target;
  /** The human-readable report; stderr when the JSON report takes stdout. */
  private final PrintStream out;
  private final boolean json;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private Tally tally = new Tally(); // replaced only between phases, from the main thread
  private final List<Publisher> publishers = new ArrayList<>();
  private final HttpClient control = HttpClient.newHttpClient();

  // Event-loop state of the publishing phase.
  private int connectsPending;
  private int opened;
  private long sent;
  private long acked;
  /** From a publish's send to its acknowledgement. */
  private final Histogram ackMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
  private long maxAckedId;
  private long startNanos;
  private long firstSendNanos;
  private long lastSendNanos;
  private long publishEndNanos;
  private boolean publishing;
  private boolean publishingDone;
  private ScheduledFuture<?> ticker;
  private Readings before;
  private Readings after;
  private volatile double backgroundBusy;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final byte[] padding;
  /** Seconds after publishing starts when every subscriber reconnects with Last-Event-ID; 0: never. */
  private final double reconnectAtSeconds;
  private Bootstrap subscriberBootstrap;
  private InetSocketAddress[] subscriberRemotes;
  private String[] subscribePathsUsed;
  private long reconnectNanos;
  /** false: reconnect without Last-Event-ID, the control that shows what the header saves. */
  private final boolean resumeWithLastEventId;
  private long catchupTargetEvents = -1;

  private LoadGenerator(Args a) {
    this(a, null, false);
  }

  private LoadGenerator(Args a, Target target, boolean json) {
    this.target = target;
    this.json = json;
    this.out = json ? System.err : System.out;
    host = target != null ? target.subscribe.getHost() : a.string("--host", "127.0.0.1");
    port = target != null ? target.subscribe.getPort() : a.intValue("--port", 8080);
    controlPort = a.intValue("--control-port", 8081);
    topic = a.string("--topic", "bench");
    subscriberCount = a.intValue("--subscribers", 1000);
    sources = a.intValue("--sources", Math.max(1, (subscriberCount + 4999) / 5000));
    maxEvents = a.longValue("--events", 1_000_000);
    rate = a.doubleValue("--rate", 0);
    inFlight = a.intValue("--in-flight", 4);
    String w = a.string("--window", "acked");
    if (!w.equals("acked") && !w.equals("delivered")) throw new IllegalArgumentException("--window acked|delivered");
    windowDelivered = w.equals("delivered");
    String ack = a.string("--ack", "fanout");
    if (!ack.equals("fanout") && !ack.equals("publish")) throw new IllegalArgumentException("--ack fanout|publish");
    ackOnPublish = ack.equals("publish");
    durationNanos = TimeUnit.MILLISECONDS.toNanos((long) (a.doubleValue("--duration-s", 10) * 1000));
    payloadBytes = a.intValue("--payload", 64);
    serverPid = a.longValue("--server-pid", -1);
    serverCpu = a.intValue("--server-cpu", 0);
    loadCpu = a.intValue("--load-cpu", 1);
    label = a.string("--label", "run");
    reconnectAtSeconds = a.doubleValue("--reconnect-at-s", 0);
    resumeWithLastEventId = !a.string("--last-event-id", "true").equals("false");
    padding = new byte[Math.max(0, payloadBytes)];
    Arrays.fill(padding, (byte) 'x');
    group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("loadgen", false), Transport.ioHandler());
    loop = group.next();
  }

  public static void main(String[] args) throws Exception {
    Args a = new Args(args);
    String mode = a.string("--mode", "run");
    LoadGenerator g = new LoadGenerator(a);
    int exit;
    try {
      exit = mode.equals("idle") ? g.idle(a) : g.run(a);
    } finally {
      g.shutdown();
    }
    System.exit(exit);
  }

  /** {@code herald bench}: a run or an idle-memory measurement against any hub; the exit code. */
  static int runAgainst(Args a, Target target, boolean json) throws Exception {
    LoadGenerator g = new LoadGenerator(a, target, json);
    try {
      return a.string("--mode", "run").equals("idle") ? g.idleAnyHub(a) : g.run(a);
    } finally {
      g.shutdown();
    }
  }

  // ---------------------------------------------------------------- scenarios

  private int run(Args a) throws Exception {
    connectAll(subscriberCount, a.intValue("--connect-timeout-s", 120));
    connectPublishers();
    // The settle time doubles as a reading of what else keeps the server's core busy.
    Readings quietStart = Readings.take(serverPid, serverCpu, loadCpu);
    Thread.sleep(a.intValue("--settle-ms", 1000));
    Readings quietEnd = Readings.take(serverPid, serverCpu, loadCpu);
    backgroundBusy = (quietEnd.cpuTicks - quietStart.cpuTicks) / (double) Proc.TICKS_PER_SECOND
        / ((quietEnd.nanos - quietStart.nanos) / 1e9);
    // Any hub: events are numbered 0, 1, ... in their data; the bench server: ids from its last.
    long base = target != null ? 0 : Long.parseLong(controlGet("/last").trim()) + 1;
    onLoop(() -> {
      tally.baseId = base;
      tally.onDelivery = this::checkDone;
      tally.onEventComplete = () -> {
        if (windowDelivered) pump();
      };
      startPublishing();
      return null;
    });
    long waitMillis = TimeUnit.NANOSECONDS.toMillis(durationNanos) + (long) (a.doubleValue("--drain-s", 30) * 1000);
    if (rate > 0) waitMillis += (long) (maxEvents / rate * 1000);
    boolean finished = true;
    try {
      long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
      while (true) {
        try {
          done.get(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitUntil - System.nanoTime()))), TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          if (System.nanoTime() >= waitUntil) throw e;
          long[] p = onLoop(() -> new long[] {sent, acked, tally.deliveries, System.nanoTime() - startNanos});
          out.printf(Locale.ROOT, "  %s: %.0f s published %d acknowledged %d deliveries %d of %d%n", label, p[3] / 1e9,
              p[0], p[1], p[2], p[1] * (long) subscriberCount);
        }
      }
    } catch (TimeoutException e) {
      finished = false;
      onLoop(() -> {
        finish();
        return null;
      });
    }
    boolean complete = finished;
    return onLoop(() -> report(complete));
  }

  private int idle(Args a) throws Exception {
    int warm = a.intValue("--warmup-connections", 2000);
    if (warm > 0) warmUp(warm, a.intValue("--connect-timeout-s", 120));
    String memBefore = controlGet("/mem").trim();
    connectAll(subscriberCount, a.intValue("--connect-timeout-s", 120));
    Thread.sleep(a.intValue("--settle-ms", 2000));
    String memAfter = controlGet("/mem").trim();
    Map<String, Long> b = parseMem(memBefore);
    Map<String, Long> f = parseMem(memAfter);
    int n = subscriberCount;
    long rss = f.get("rss") - b.get("rss");
    long heap = f.get("heapUsed") - b.get("heapUsed");
    long direct = f.get("nettyDirect") - b.get("nettyDirect");
    System.out.println("== " + label + ": idle connections");
    System.out.println("  before: " + memBefore);
    System.out.println("  after:  " + memAfter);
    System.out.printf(Locale.ROOT, "  connections=%d (server counts %d)%n", n, f.get("connections") - b.get("connections"));
    System.out.printf(Locale.ROOT, "  RSS added per connection: %d B (heap fixed and pre-touched: native memory only)%n", rss / n);
    System.out.printf(Locale.ROOT, "  live heap added per connection (after full GC): %d B%n", heap / n);
    System.out.printf(Locale.ROOT, "  Netty direct memory added per connection: %d B (inside RSS)%n", direct / n);
    System.out.printf(Locale.ROOT, "  RESULT idle %s connections=%d rssPerConn=%d heapPerConn=%d totalPerConn=%d%n",
        label, n, rss / n, heap / n, (rss + heap) / n);
    Thread.sleep(a.intValue("--hold-s", 0) * 1000L); // time for a heap histogram or a profiler
    int lost = onLoop(() -> tally.closedEarly + tally.ended + tally.failures.size());
    if (lost > 0) System.out.println("  FAILURES: closed=" + tally.closedEarly + " ended=" + tally.ended + " " + tally.failures);
    return lost == 0 ? 0 : 1;
  }

  /** Idle memory against any hub: the server process's RSS before and after the connections. */
  private int idleAnyHub(Args a) throws Exception {
    if (serverPid <= 0) throw new IllegalArgumentException("--mode idle needs --server-pid");
    int warm = a.intValue("--warmup-connections", 1000);
    if (warm > 0) {
      Tally real = tally;
      tally = new Tally();
      connectAll(warm, a.intValue("--connect-timeout-s", 120));
      onLoop(() -> {
        tally.closing = true;
        for (Subscriber s : tally.subscribers) s.close();
        return null;
      });
      Thread.sleep(2000);
      tally = real;
    }
    long rssBefore = Proc.rssBytes(serverPid);
    connectAll(subscriberCount, a.intValue("--connect-timeout-s", 120));
    Thread.sleep(a.intValue("--settle-ms", 3000));
    long rssAfter = Proc.rssBytes(serverPid);
    int n = subscriberCount;
    int lost = onLoop(() -> tally.closedEarly + tally.ended + tally.failures.size());
    out.println("== " + label + ": idle connections");
    out.printf(Locale.ROOT, "  connections=%d server RSS before=%.1f MiB after=%.1f MiB: %d B per connection%n", n,
        rssBefore / 1048576.0, rssAfter / 1048576.0, (rssAfter - rssBefore) / n);
    out.printf(Locale.ROOT, "  RESULT idle %s connections=%d rssPerConn=%d closed=%d %s%n", label, n,
        (rssAfter - rssBefore) / n, lost, lost == 0 ? "OK" : "FAIL");
    if (json) {
      System.out.printf(Locale.ROOT, "{\"label\":\"%s\",\"mode\":\"idle\",\"connections\":%d,\"rssBefore\":%d,\"rssAfter\":%d,"
          + "\"rssPerConnection\":%d,\"closed\":%d,\"ok\":%b}%n", label, n, rssBefore, rssAfter, (rssAfter - rssBefore) / n, lost, lost == 0);
    }
    out.flush();
    System.out.flush();
    // The connections stay open meanwhile: time for a heap histogram of the hub (bench/scripts/idle-rss.sh).
    Thread.sleep(a.intValue("--hold-s", 0) * 1000L);
    return lost == 0 ? 0 : 1;
  }

  // ---------------------------------------------------------------- connections

  /**
   * Opens and closes {@code n} connections first, so classes, compiled code and the allocator's
   * first chunks are in place: what stays is the cost of connections, not of the first one.
   */
  private void warmUp(int n, int timeoutSeconds) throws Exception {
    Tally real = tally;
    tally = new Tally();
    connectAll(n, timeoutSeconds);
    onLoop(() -> {
      tally.closing = true;
      for (Subscriber s : tally.subscribers) s.close();
      return null;
    });
    for (int i = 0; i < 50 && !parseMem(controlGet("/mem")).get("connections").equals(0L); i++) Thread.sleep(200);
    tally = real;
  }

  private void connectAll(int count, int timeoutSeconds) throws Exception {
    // One request per subscribe target; subscriber i goes to target i % targets (a cluster's nodes).
    int targets = target != null ? target.subscribes.size() : 1;
    InetSocketAddress[] remotes = new InetSocketAddress[targets];
    ByteBuf[] requests = new ByteBuf[targets];
    String[] paths = new String[targets];
    for (int t = 0; t < targets; t++) {
      URI u = target != null ? target.subscribes.get(t) : null;
      String h = u != null ? u.getHost() : host;
      int p = u != null ? u.getPort() : port;
      paths[t] = u != null ? Target.pathAndQuery(u) : "/events?topic=" + topic;
      remotes[t] = new InetSocketAddress(h, p);
      requests[t] = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
          "GET " + paths[t] + " HTTP/1.1\r\nHost: " + h + ":" + p
              + "\r\nAccept: text/event-stream\r\n" + subscribeHeaderLines() + "\r\n", StandardCharsets.US_ASCII));
    }
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(Transport.socketChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    if (Transport.EPOLL) b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    subscriberBootstrap = b;
    subscriberRemotes = remotes;
    subscribePathsUsed = paths;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long started = System.nanoTime();
    onLoop(() -> {
      tally.targets(targets);
      opened = 0;
      connectsPending = 0;
      openMore(b, remotes, requests, count);
      return null;
    });
    int lastPrinted = -1;
    while (true) {
      int[] s = onLoop(() -> new int[] {tally.ready, tally.closedEarly + tally.ended, tally.failures.size()});
      if (s[0] != lastPrinted) {
        out.printf(Locale.ROOT, "  %s: connected %d/%d (%.1f s)%n", label, s[0], count,
            (System.nanoTime() - started) / 1e9);
        lastPrinted = s[0];
      }
      if (s[0] == count) break;
      if (s[1] > 0 || s[2] > 0 || System.nanoTime() > deadline) {
        throw new IOException("could not open " + count + " subscribers: ready=" + s[0]
            + " closed=" + s[1] + " failures=" + onLoop(() -> List.copyOf(tally.failures)));
      }
      Thread.sleep(s[0] * 10L < count ? 200 : 1000);
    }
  }

  /** Keeps a bounded number of connects in flight, so the listen backlog never overflows. */
  private void openMore(Bootstrap b, InetSocketAddress[] remotes, ByteBuf[] requests, int count) {
    while (connectsPending < 256 && opened < count) {
      // Spread over 127.0.0.1..127.0.0.N so no one source address runs out of ephemeral ports.
      InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + opened % sources), 0);
      int t = opened % remotes.length;
      opened++;
      connectsPending++;
      Subscriber s = new Subscriber(tally, requests[t], target != null);
      s.target = t;
      tally.subscribers.add(s);
      b.handler(s).connect(remotes[t], local).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) tally.failed("connect: " + f.cause());
        connectsPending--;
        openMore(b, remotes, requests, count);
      });
    }
  }

  /** The target's extra subscribe header lines, each ending in CRLF (a subscriber JWT, say). */
  private String subscribeHeaderLines() {
    StringBuilder lines = new StringBuilder();
    if (target != null) for (String h : target.subscribeHeaders) lines.append(h).append("\r\n");
    return lines.toString();
  }

  private void connectPublishers() throws Exception {
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(Transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true);
    String path = target != null ? Target.pathAndQuery(target.publish)
        : "/publish?topic=" + topic + (ackOnPublish ? "&ack=publish" : "");
    String pubHost = target != null ? target.publish.getHost() : host;
    int pubPort = target != null ? target.publish.getPort() : controlPort;
    for (int i = 0; i < inFlight; i++) {
      Publisher p = new Publisher(this, path, pubHost + ":" + pubPort, target);
      Channel ch = b.handler(new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel c) {
          c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), p);
        }
      }).connect(pubHost, pubPort).sync().channel();
      p.channel = ch;
      onLoop(() -> publishers.add(p));
    }
  }

  // ---------------------------------------------------------------- publishing (event loop)

  private void startPublishing() {
    before = Readings.take(serverPid, serverCpu, loadCpu);
    startNanos = System.nanoTime();
    publishing = true;
    if (reconnectAtSeconds > 0 && target != null) {
      loop.schedule(this::reconnectAll, (long) (reconnectAtSeconds * 1000), TimeUnit.MILLISECONDS);
    }
    if (rate > 0) {
      ticker = loop.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
    } else {
      pump();
    }
  }

  /**
   * Every subscriber at once: closes its connection and opens a new one with the last id it saw
   * as {@code Last-Event-ID}, while publishing goes on; then measures the time until every
   * subscriber has every event sent before the reconnection.
   */
  private void reconnectAll() {
    reconnectNanos = System.nanoTime();
    catchupTargetEvents = sent;
    tally.catchupTarget = sent;
    tally.caughtUp = 0;
    for (Subscriber s : tally.subscribers) s.caughtUp = false;
    out.printf(Locale.ROOT, "  %s: reconnecting %d subscribers with Last-Event-ID, %d events sent so far%n", label,
        tally.subscribers.size(), sent);
    int i = 0;
    for (Subscriber s : tally.subscribers) {
      InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + i++ % sources), 0);
      String id = new String(s.lastId, 0, s.lastIdLength, StandardCharsets.UTF_8);
      InetSocketAddress remote = subscriberRemotes[s.target];
      s.resumeRequest = Unpooled.copiedBuffer("GET " + subscribePathsUsed[s.target] + " HTTP/1.1\r\nHost: "
          + remote.getHostString() + ":" + remote.getPort() + "\r\nAccept: text/event-stream\r\n" + subscribeHeaderLines()
          + (id.isEmpty() || !resumeWithLastEventId ? "" : "Last-Event-ID: " + id + "\r\n") + "\r\n",
          StandardCharsets.UTF_8);
      s.reconnecting = true;
      tally.reconnecting++;
      Runnable connect = () -> subscriberBootstrap.handler(s).connect(remote, local).addListener((ChannelFuture f) -> {
        if (!f.isSuccess()) tally.failed("reconnect: " + f.cause());
      });
      if (s.channelOrNull() != null && s.channelOrNull().isOpen()) {
        s.channelOrNull().close().addListener(f -> connect.run());
      } else {
        connect.run();
      }
    }
  }

  /** Fixed rate: send every event that is due, as long as a publisher connection is free. */
  private void tick() {
    long now = System.nanoTime();
    long due = Math.min(maxEvents, 1 + (long) ((now - startNanos) * rate / 1e9));
    for (int i = 0; i < publishers.size() && sent < due; i++) {
      Publisher p = publishers.get(i);
      if (!p.busy) send(p);
    }
    if (sent >= maxEvents || now - startNanos >= durationNanos + (long) (maxEvents / rate * 1e9)) {
      ticker.cancel(false);
      stopPublishing();
    }
  }

  /** As fast as acknowledged (or delivered): fill the window with free publisher connections. */
  private void pump() {
    if (!publishing) return;
    for (int i = 0; i < publishers.size(); i++) {
      if (sent >= maxEvents || System.nanoTime() - startNanos >= durationNanos) {
        stopPublishing();
        return;
      }
      if (windowDelivered && sent - tally.eventsComplete >= inFlight) return;
      Publisher p = publishers.get(i);
      if (!p.busy) send(p);
    }
  }

  private void send(Publisher p) {
    long now = System.nanoTime();
    ByteBuf body = ByteBufAllocator.DEFAULT.buffer(payloadBytes + 24);
    byte[] digits = (target != null ? sent + " " + now : Long.toString(now)).getBytes(StandardCharsets.US_ASCII);
    body.writeBytes(digits).writeByte(' ');
    int pad = payloadBytes - digits.length - 1;
    if (pad > 0) body.writeBytes(padding, 0, pad);
    if (sent++ == 0) firstSendNanos = now;
    lastSendNanos = now;
    p.publish(body);
  }

  private void stopPublishing() {
    if (!publishing) return;
    publishing = false;
    checkPublishingDone();
  }

  @Override
  public void acked(Publisher p, long id, long nanos) {
    acked++;
    ackMicros.recordValue(Math.max(0, (nanos - p.sentNanos) / 1000));
    if (id < 0) id = acked - 1; // any hub: events are numbered by this tool from 0
    if (id > maxAckedId) maxAckedId = id;
    if (publishing && rate <= 0) {
      pump();
    } else {
      checkPublishingDone();
    }
  }

  @Override
  public void failed(String why) {
    tally.failed(why);
  }

  private void checkPublishingDone() {
    if (publishing || publishingDone || acked < sent) return;
    publishingDone = true;
    publishEndNanos = System.nanoTime();
    checkDone();
  }

  private void checkDone() {
    boolean allGone = tally.closedEarly + tally.ended >= subscriberCount;
    if (allGone && publishing) {
      if (ticker != null) ticker.cancel(false);
      publishing = false;
      publishingDone = true;
      publishEndNanos = System.nanoTime();
    }
    if (publishingDone && !done.isDone() && (allGone || tally.deliveries >= acked * subscriberCount)) {
      finish();
      done.complete(null);
    }
  }

  private void finish() {
    if (after == null) after = Readings.take(serverPid, serverCpu, loadCpu);
  }

  // ---------------------------------------------------------------- report (event loop)

  private int report(boolean complete) {
    long expected = acked * subscriberCount;
    Tally.Checks c = tally.checks(acked);
    long end = tally.deliveries > 0 ? tally.lastDeliveryNanos : System.nanoTime();
    double seconds = (end - startNanos) / 1e9;
    double deliveriesPerSecond = tally.deliveries / seconds;
    double publishSeconds = (lastSendNanos - firstSendNanos) / 1e9;
    double publishRate = acked > 1 && publishSeconds > 0 ? (acked - 1) / publishSeconds : acked;
    double deliveredEventRate = (tally.deliveries / (double) subscriberCount) / seconds;
    double windowSeconds = (after.nanos - before.nanos) / 1e9;
    long serverCpuMicros = (after.cpuTicks - before.cpuTicks) * 1_000_000 / Proc.TICKS_PER_SECOND;
    long loadCpuMicros = (after.loadTicks - before.loadTicks) * 1_000_000 / Proc.TICKS_PER_SECOND;
    long processMicros = serverPid > 0 ? (after.processTicks - before.processTicks) * 1_000_000 / Proc.TICKS_PER_SECOND : -1;
    double perDelivery = tally.deliveries > 0 ? serverCpuMicros / (double) tally.deliveries : Double.NaN;
    double processPerDelivery = tally.deliveries > 0 && processMicros >= 0 ? processMicros / (double) tally.deliveries : Double.NaN;
    var h = tally.latencyMicros;
    boolean foreignIds = target == null && maxAckedId != tally.baseId + acked - 1;
    // Any hub with several publishes in flight: the hub may order them differently from their sends.
    boolean orderMatters = target == null || inFlight == 1;

    out.println("== " + label + (complete ? "" : "  (INCOMPLETE: drain timed out)"));
    out.printf(Locale.ROOT, "  connections=%d transport=%s payload=%dB mode=%s%n", subscriberCount,
        Transport.name(), payloadBytes, rate > 0 ? String.format(Locale.ROOT, "rate %.0f/s", rate)
            : inFlight + " in flight, as fast as " + (windowDelivered ? "delivered to all"
                : ackOnPublish ? "acknowledged (ack when broker.publish completes)" : "acknowledged (ack after the fan-out)"));
    out.printf(Locale.ROOT, "  events published=%d (ids %d..%d)%s, at %.1f events/s%n", acked, tally.baseId,
        maxAckedId, foreignIds ? " FOREIGN IDS" : "", publishRate);
    out.printf(Locale.ROOT, "  deliveries expected=%d received=%d lost=%d duplicated=%d outOfOrder=%d unexpected=%d%n",
        expected, tally.deliveries, c.lost, c.duplicated, c.outOfOrder, c.unexpected);
    out.printf(Locale.ROOT, "  deliveries/s=%.0f (events delivered/s per subscriber=%.2f) over %.2f s%n",
        deliveriesPerSecond, deliveredEventRate, seconds);
    out.printf(Locale.ROOT, "  latency ms p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
    out.printf(Locale.ROOT, "  publish acknowledged ms p50=%.2f p99=%.2f max=%.2f%n",
        ackMicros.getValueAtPercentile(50) / 1000.0, ackMicros.getValueAtPercentile(99) / 1000.0, ackMicros.getMaxValue() / 1000.0);
    String byTargetJson = reportByTarget();
    var fo = tally.completionMicros;
    out.printf(Locale.ROOT, "  fan-out complete (last subscriber got the event) ms p50=%.2f p99=%.2f max=%.2f; events complete=%d%n",
        fo.getValueAtPercentile(50) / 1000.0, fo.getValueAtPercentile(99) / 1000.0, fo.getMaxValue() / 1000.0, tally.eventsComplete);
    long processSystemMicros = (after.processSystemTicks - before.processSystemTicks) * 1_000_000 / Proc.TICKS_PER_SECOND;
    out.printf(Locale.ROOT, "  server core cpu%d busy=%.2f s of %.2f s (%.0f%%): %.2f us per delivery; server process %.2f us per delivery (%.0f%% of it in the kernel)%n",
        serverCpu, serverCpuMicros / 1e6, windowSeconds, 100 * serverCpuMicros / 1e6 / windowSeconds, perDelivery, processPerDelivery,
        processMicros > 0 ? 100.0 * processSystemMicros / processMicros : Double.NaN);
    long selfMicros = (after.selfTicks - before.selfTicks) * 1_000_000 / Proc.TICKS_PER_SECOND;
    out.printf(Locale.ROOT, "  load generator core cpu%d busy %.0f%% (load generator process %.0f%%); before publishing, with no traffic, cpu%d was %.0f%% busy%n",
        loadCpu, 100 * loadCpuMicros / 1e6 / windowSeconds, 100 * selfMicros / 1e6 / windowSeconds, serverCpu, 100 * backgroundBusy);
    if (serverPid > 0) out.printf(Locale.ROOT, "  server RSS=%.1f MiB%n", Proc.rssBytes(serverPid) / 1048576.0);
    if (tally.closedEarly + tally.ended > 0 || !tally.failures.isEmpty()) {
      out.println("  FAILURES: closed=" + tally.closedEarly + " ended=" + tally.ended + " " + tally.failures);
    }
    boolean clean = c.lost == 0 && c.duplicated == 0 && c.unexpected == 0 && (!orderMatters || c.outOfOrder == 0);
    boolean ok = complete && clean && !foreignIds && tally.closedEarly + tally.ended == 0 && tally.failures.isEmpty();
    out.printf(Locale.ROOT,
        "  RESULT %s subs=%d events=%d rate=%.1f deliveries/s=%.0f cpu_us=%.2f proc_us=%.2f sys=%.0f%% bg=%.0f%% p50=%.2f p99=%.2f p999=%.2f max=%.2f lost=%d dup=%d ooo=%d %s%n",
        label, subscriberCount, acked, publishRate, deliveriesPerSecond, perDelivery, processPerDelivery,
        processMicros > 0 ? 100.0 * processSystemMicros / processMicros : Double.NaN, 100 * backgroundBusy,
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0, c.lost, c.duplicated, c.outOfOrder, ok ? "OK" : "FAIL");
    double catchupMs = -1;
    if (catchupTargetEvents >= 0) {
      catchupMs = tally.caughtUp == subscriberCount ? (tally.allCaughtUpNanos - reconnectNanos) / 1e6 : -1;
      out.printf(Locale.ROOT, "  reconnection: %d subscribers reconnected %s Last-Event-ID; %d of them caught up with the %d events sent before it, all after %.1f ms%n",
          subscriberCount, resumeWithLastEventId ? "with" : "WITHOUT", tally.caughtUp, catchupTargetEvents, catchupMs);
      if (tally.caughtUp != subscriberCount) ok = false;
    }
    if (json) {
      long rss = serverPid > 0 ? Proc.rssBytes(serverPid) : -1;
      System.out.printf(Locale.ROOT, "{\"label\":\"%s\",\"subscribers\":%d,\"payload\":%d,\"rate\":%.1f,\"inFlight\":%d,"
          + "\"eventsPublished\":%d,\"publishRate\":%.2f,\"deliveriesExpected\":%d,\"deliveriesReceived\":%d,\"lost\":%d,"
          + "\"duplicated\":%d,\"outOfOrder\":%d,\"unexpected\":%d,\"deliveriesPerSecond\":%.1f,\"seconds\":%.3f,"
          + "\"latencyMs\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f},"
          + "\"ackMs\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f},"
          + "\"serverCpu\":%d,\"serverCpuBusySeconds\":%.2f,\"cpuMicrosPerDelivery\":%.3f,\"processMicrosPerDelivery\":%.3f,"
          + "\"backgroundBusy\":%.3f,\"serverRssBytes\":%d,\"reconnectCatchUpMs\":%.1f,\"byTarget\":%s,\"complete\":%b,\"ok\":%b}%n",
          label, subscriberCount, payloadBytes, rate, inFlight, acked, publishRate, expected, tally.deliveries, c.lost,
          c.duplicated, c.outOfOrder, c.unexpected, deliveriesPerSecond, seconds,
          h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
          h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0,
          ackMicros.getValueAtPercentile(50) / 1000.0, ackMicros.getValueAtPercentile(99) / 1000.0,
          ackMicros.getMaxValue() / 1000.0, serverCpu, serverCpuMicros / 1e6, perDelivery,
          Double.isNaN(processPerDelivery) ? -1 : processPerDelivery, backgroundBusy, rss, catchupMs, byTargetJson, complete, ok);
    }
    return ok ? 0 : 1;
  }

  /**
   * Several subscribe targets (a cluster's nodes): the latency of each, then of the node publishes
   * go to ("same node") against the others merged ("cross-node"), for every delivery and for the
   * first delivery of each event through each node. Printed; returned as a JSON array.
   */
  private String reportByTarget() {
    if (target == null) return "[]";
    StringBuilder json = new StringBuilder("[");
    Histogram same = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    Histogram cross = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    Histogram sameFirst = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    Histogram crossFirst = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    int[] subscribersOf = new int[target.subscribes.size()];
    for (Subscriber s : tally.subscribers) subscribersOf[s.target]++;
    boolean several = target.subscribes.size() > 1;
    for (int t = 0; t < target.subscribes.size(); t++) {
      Histogram h = tally.latencyByTargetMicros[t];
      boolean publishNode = target.isPublishNode(t);
      Histogram first = tally.firstByTargetMicros[t];
      (publishNode ? same : cross).add(h);
      (publishNode ? sameFirst : crossFirst).add(first);
      String where = target.subscribes.get(t).getHost() + ":" + target.subscribes.get(t).getPort();
      if (several) {
        out.printf(Locale.ROOT, "  target %d %s%s: %d subscribers, %d deliveries, latency ms %s; first subscriber of each event %s%n",
            t + 1, where, publishNode ? " (publish node)" : "", subscribersOf[t], h.getTotalCount(), percentiles(h),
            percentiles(first));
      } else {
        out.printf(Locale.ROOT, "  first subscriber of each event, latency ms %s%n", percentiles(first));
      }
      json.append(t == 0 ? "" : ",").append(String.format(Locale.ROOT,
          "{\"target\":\"%s\",\"publishNode\":%b,\"subscribers\":%d,\"deliveries\":%d,\"latencyMs\":%s,\"firstMs\":%s}",
          where, publishNode, subscribersOf[t], h.getTotalCount(), percentilesJson(h), percentilesJson(first)));
    }
    if (several) {
      out.printf(Locale.ROOT, "  RESULT-NODES %s same-node %s | cross-node %s%n", label, percentiles(same), percentiles(cross));
      out.printf(Locale.ROOT, "  RESULT-FIRST %s same-node %s | cross-node %s%n", label, percentiles(sameFirst), percentiles(crossFirst));
    }
    json.append(",{\"target\":\"same-node\",\"deliveries\":").append(same.getTotalCount())
        .append(",\"latencyMs\":").append(percentilesJson(same)).append(",\"firstMs\":").append(percentilesJson(sameFirst)).append('}');
    json.append(",{\"target\":\"cross-node\",\"deliveries\":").append(cross.getTotalCount())
        .append(",\"latencyMs\":").append(percentilesJson(cross)).append(",\"firstMs\":").append(percentilesJson(crossFirst)).append('}');
    return json.append(']').toString();
  }

  private static String percentiles(Histogram h) {
    if (h.getTotalCount() == 0) return "none";
    return String.format(Locale.ROOT, "p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f", h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0);
  }

  private static String percentilesJson(Histogram h) {
    if (h.getTotalCount() == 0) return "null";
    return String.format(Locale.ROOT, "{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}",
        h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
  }

  // ---------------------------------------------------------------- plumbing

  private <T> T onLoop(Callable<T> task) throws Exception {
    return loop.submit(task).get(60, TimeUnit.SECONDS);
  }

  private String controlGet(String path) throws IOException, InterruptedException {
    HttpResponse<String> res = control.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + controlPort + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) throw new IOException("GET " + path + " answered " + res.statusCode() + ": " + res.body());
    return res.body();
  }

  private static Map<String, Long> parseMem(String line) {
    Map<String, Long> m = new HashMap<>();
    for (String kv : line.split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
    }
    return m;
  }

  private void shutdown() {
    try {
      loop.submit(() -> tally.closing = true).get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing anyway
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }

  /** CPU and time readings at the start and end of the measured window. */
  private static final class Readings {
    long nanos;
    long cpuTicks;
    long loadTicks;
    long processTicks;
    long processSystemTicks;
    long selfTicks;

    static Readings take(long pid, int serverCpu, int loadCpu) {
      Readings r = new Readings();
      r.selfTicks = Proc.processTicks(ProcessHandle.current().pid());
      r.cpuTicks = Proc.cpuBusyTicks(serverCpu);
      r.loadTicks = Proc.cpuBusyTicks(loadCpu);
      long[] us = pid > 0 ? Proc.processUserSystemTicks(pid) : null;
      r.processTicks = us == null ? -1 : us[0] + us[1];
      r.processSystemTicks = us == null ? -1 : us[1];
      r.nanos = System.nanoTime();
      return r;
    }
  }
}
