package dev.herald.redis;

import dev.herald.protocol.Event;
import dev.herald.redis.internal.EntryCodec;
import dev.herald.redis.internal.OwnIds;
import dev.herald.redis.internal.PendingAppends;
import dev.herald.redis.internal.Presence;
import dev.herald.redis.internal.StreamIds;
import dev.herald.redis.internal.StreamTail;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: an {@link EventLog} on one Redis stream, shared by every hub node. How it works
 * (the tail thread, positions, gap detection, own-id keys, retention) is in docs/architecture.md,
 * "Cluster mode on Redis".
 *
 * <ul>
 *   <li><b>Ids.</b> The stream entry id ({@code "1700000000000-0"}) is the event id, so order and
 *       {@code Last-Event-ID} mean the same on every node. An event published with its own id keeps
 *       it; an own id may repeat (a resume from it reads after its oldest occurrence); one shaped
 *       like a stream id ({@code <ms>-<seq>}), the ids this log assigns, fails with
 *       IllegalArgumentException, so the two never collide.
 *   <li><b>Acknowledgement.</b> An append's stage completes once Redis replied and this node's tail
 *       delivered the entry; with {@link Settings#withReplicas} also once that many replicas have
 *       it. What survives a Redis crash depends on Redis's persistence (docs/redis.md).
 *   <li><b>Redis away.</b> Connecting never fails; {@link #ready()} is false until Redis answers.
 *       Appends and replays then fail at once with IllegalStateException; an append is never
 *       retried.
 *   <li><b>Gaps.</b> When the entries after the last one this node delivered are no longer in the
 *       stream, the log calls {@link EventLog#onTailGap} before delivering what follows.
 *   <li><b>Cluster figures.</b> After {@link #reportCounts}, {@link #clusterCounts()} is the sum of
 *       every live node's report.
 *   <li><b>Retention.</b> Approximate, by count and by age: a few hundred more events may stay.
 * </ul>
 */
public final class RedisEventLog implements EventLog {
  private static final Logger LOG = LoggerFactory.getLogger(RedisEventLog.class);
  private static final int PAGE = 1000;
  private static final Duration TRIM_INTERVAL = Duration.ofSeconds(1);
  private static final Duration SENTINEL_CHECK_INTERVAL = Duration.ofSeconds(1);
  private static final Duration PRESENCE_INTERVAL = Duration.ofSeconds(1);
  /** How far ahead of this node's clock an id may be and still be taken for an entry Redis lost. */
  private static final Duration FUTURE_ID_TOLERANCE = Duration.ofMinutes(1);
  /**
   * {@code XTRIM MINID ~ ARGV[1]}, but never the newest entry: it is the last one every node that
   * kept up delivered, and a node whose last entry is gone must suspect it missed some.
   */
  private static final String TRIM_BY_AGE = String.join("\n",
      "local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]",
      "if newest == nil then return 0 end",
      "local min = ARGV[1]",
      "local nm, ns = string.match(newest[1], '^(%d+)-(%d+)$')",
      "local mm, ms = string.match(min, '^(%d+)-(%d+)$')",
      "if tonumber(nm) < tonumber(mm) or (tonumber(nm) == tonumber(mm) and tonumber(ns) < tonumber(ms)) then",
      "  min = newest[1]",
      "end",
      "return redis.call('XTRIM', KEYS[1], 'MINID', '~', min)");
  /** How long a node's report counts: a node that stops reporting leaves the cluster figures after this. */
  public static final Duration PRESENCE_TTL = Duration.ofSeconds(5);

  private final Settings settings;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient publishClient;
  private final RedisClient tailClient;
  private final PendingAppends pending;
  private final StreamTail tail;
  private final Thread tailThread;
  private final String node = UUID.randomUUID().toString();
  private final Clock clock = Clock.systemUTC();
  private volatile StatefulRedisConnection<String, String> publisher;
  private volatile boolean closed;
  private long lastTrimMillis;
  private volatile StatefulRedisSentinelConnection<String, String> sentinel; // set by the Sentinel question
  private final AtomicBoolean askingSentinel = new AtomicBoolean();
  /** Sentinel's latest answer, and which of the reader's connections it was asked during. */
  private record NamedPrimary(long connection, SocketAddress address) {}

  private volatile NamedPrimary namedPrimary;
  private NamedPrimary followedPrimary; // tail thread only: what the current connections follow
  private long lastSentinelCheckMillis; // tail thread only
  private long lastReportMillis; // tail thread only
  private volatile LongSupplier reportedConnections;
  private volatile LongSupplier reportedSubscriptions;
  private volatile ClusterCounts cluster;
  private volatile long clusterAtNanos;

  private RedisEventLog(RedisURI uri, Settings settings) {
    this.settings = settings;
    this.uri = uri;
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    this.publishClient = client(uri, settings.commandTimeout());
    this.tailClient = client(uri, settings.readBlock().plus(settings.commandTimeout()));
    this.pending = new PendingAppends(settings.deliveryTimeout());
    this.tail = new StreamTail(tailClient, settings.streamKey(), settings.readBlock(), settings.maxEvents(), node,
        pending, this::redisAnswered);
    this.tailThread = new Thread(tail, "herald-redis-tail");
    tailThread.setDaemon(true);
  }

  private RedisClient client(RedisURI uri, Duration timeout) {
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        // Reconnecting is done by this log: Lettuce would re-send an XADD in flight, a duplicate.
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(settings.commandTimeout()).tcpNoDelay(true).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    return client;
  }

  /** As {@link #connect(RedisURI, Settings)} with a {@code redis://host:port} URI. */
  public static RedisEventLog connect(String uri, Settings settings) {
    return connect(RedisURI.create(Objects.requireNonNull(uri, "uri")), settings);
  }

  /**
   * Starts a log on {@code settings.streamKey()} of the Redis at {@code uri}. Returns at once, even
   * if Redis is down: see {@link #ready()}.
   */
  public static RedisEventLog connect(RedisURI uri, Settings settings) {
    RedisEventLog log = new RedisEventLog(Objects.requireNonNull(uri, "uri"), Objects.requireNonNull(settings, "settings"));
    log.tailThread.start();
    return log;
  }

  /** Whether Redis answers: the tail's last read and the publishing connection are up. For /readyz. */
  public boolean ready() {
    StatefulRedisConnection<String, String> p = publisher;
    return !closed && tail.redisAnswered() && p != null && p.isOpen();
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Starts reporting this node's counts into Redis, about every second, read from the suppliers on
   * the log's own thread (so they must be cheap and thread-safe), and reading the cluster's sum.
   */
  public void reportCounts(LongSupplier connections, LongSupplier subscriptions) {
    reportedSubscriptions = Objects.requireNonNull(subscriptions, "subscriptions");
    reportedConnections = Objects.requireNonNull(connections, "connections");
  }

  /**
   * The sum of every live node's last report, this node's included; empty before the first report
   * and when none succeeded within {@link #PRESENCE_TTL} (Redis away), as the figures would be stale.
   */
  public Optional<ClusterCounts> clusterCounts() {
    ClusterCounts c = cluster;
    if (c == null || System.nanoTime() - clusterAtNanos > PRESENCE_TTL.toNanos()) return Optional.empty();
    return Optional.of(c);
  }

  /** Called on {@code herald-redis-tail}, once per entry of the stream, in stream order. */
  @Override
  public void onAppend(Consumer<StoredEvent> consumer) {
    tail.consumer(consumer);
  }

  /**
   * Called on {@code herald-redis-tail} when the stream trimmed entries this node had not read yet
   * (it fell more than {@code maxEvents} behind): before the entries after the gap go to the tail
   * consumer.
   */
  @Override
  public void onTailGap(Runnable gap) {
    tail.gap(gap);
  }

  /**
   * Appends with XADD. The stage completes on {@code herald-redis-tail} once the entry went to the
   * tail consumer; it fails with IllegalArgumentException for an own id shaped like a stream id,
   * and with IllegalStateException when Redis is unavailable, the log closed, or the entry not read
   * back within {@link Settings#deliveryTimeout()}. The broker checked the update (topics, data, a
   * non-empty own id).
   */
  @Override
  public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
    Objects.requireNonNull(event, "event");
    List<String> copy = List.copyOf(topics);
    String ownId = event.id();
    if (ownId != null && StreamIds.isStreamId(ownId)) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "id " + ownId + " has the shape of a Redis stream id (<ms>-<seq>), which cluster mode reserves"));
    }
    RedisAsyncCommands<String, String> redis;
    try {
      redis = commands();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    Map<String, String> fields = EntryCodec.encode(copy, event, privateUpdate, node);
    CompletionStage<String> written = ownId == null
        ? redis.xadd(settings.streamKey(), new XAddArgs().maxlen(settings.maxEvents()).approximateTrimming(), fields)
        : OwnIds.append(redis, settings.streamKey(), ownId, settings.maxAge(), settings.maxEvents(), fields);
    if (settings.replicas() > 0) written = written.thenCompose(id -> replicated(redis, id));
    return written
        .handle((id, error) -> error != null
            ? CompletableFuture.<StoredEvent>failedFuture(unavailable(error))
            : pending.accepted(id).toCompletableFuture())
        .thenCompose(stage -> stage);
  }

  /**
   * WAIT after the XADD, on the same connection: it covers every write sent before it. An event
   * fewer replicas received is still in the stream (and delivered), but its publish fails.
   */
  private CompletionStage<String> replicated(RedisAsyncCommands<String, String> redis, String id) {
    int wanted = settings.replicas();
    return redis.waitForReplication(wanted, settings.replicaTimeout().toMillis()).thenApply(got -> {
      if (got < wanted) {
        throw new IllegalStateException("Redis replicas unavailable: " + got + " of " + wanted
            + " acknowledged event " + id + " within " + settings.replicaTimeout().toMillis() + " ms");
      }
      return id;
    });
  }

  /**
   * Reads the stream after {@code lastEventId} with XRANGE. An id that is not in the stream gives
   * {@code historyCut} and what follows it (see {@link #readAfterEntry}); one that was never an id
   * here gives every retained event and {@code historyCut}, as on one node.
   */
  @Override
  public CompletionStage<Replay> readAfter(String lastEventId) {
    RedisAsyncCommands<String, String> redis;
    try {
      redis = commands();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletionStage<Replay> replay;
    if (EARLIEST.equals(lastEventId) || lastEventId == null || lastEventId.isEmpty()) {
      boolean cut = !EARLIEST.equals(lastEventId);
      replay = readFrom(redis, Range.Boundary.unbounded(), new ArrayList<>()).thenApply(all -> new Replay(all, cut));
    } else if (StreamIds.entryIdOf(lastEventId) != null) {
      replay = readAfterEntry(redis, StreamIds.entryIdOf(lastEventId));
    } else {
      // A publisher's own id: its entry id, if the id is still known.
      replay = redis.get(OwnIds.indexKey(settings.streamKey(), lastEventId)).thenCompose(entryId ->
          entryId != null && StreamIds.isStreamId(entryId) ? readAfterEntry(redis, entryId)
              : readFrom(redis, Range.Boundary.unbounded(), new ArrayList<>()).thenApply(all -> new Replay(all, true)));
    }
    return replay.toCompletableFuture().exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(e)));
  }

  /**
   * The events after entry {@code entryId}. If the stream does not hold it, a history cut with what
   * follows it in stream order: everything retained if it was trimmed (it is older than them all),
   * only the later entries if Redis lost it (a restart or failover that lost its newest writes:
   * the client saw the older ones, and a replay of everything would send it up to the whole
   * history again), and everything retained for an id from the future, which no entry ever had.
   */
  private CompletionStage<Replay> readAfterEntry(RedisAsyncCommands<String, String> redis, String entryId) {
    return redis.xrange(settings.streamKey(), Range.create(entryId, entryId), Limit.from(1)).thenCompose(found -> {
      boolean cut = found.isEmpty();
      boolean future = cut && StreamIds.millis(entryId) > clock.millis() + FUTURE_ID_TOLERANCE.toMillis();
      Range.Boundary<String> from = future ? Range.Boundary.unbounded() : Range.Boundary.excluding(entryId);
      // The client has everything up to this id, even one Redis lost since (not one from the future).
      long after = future ? Long.MIN_VALUE : StreamIds.position(entryId);
      return readFrom(redis, from, new ArrayList<>()).thenApply(events -> new Replay(events, cut, after));
    });
  }

  /**
   * One page of a replay with XRANGE. The first resolves the id as {@link #readAfter} does; an
   * entry that is a private update the subscriber may not know is answered as an id the stream
   * does not hold (a stream id: a cut and what follows it; an own id: a cut and everything).
   * Redis cannot filter by topic, so a page holds every topic and the broker filters.
   */
  @Override
  public CompletionStage<Replay> readPage(ReplayRequest request) {
    RedisAsyncCommands<String, String> redis;
    try {
      redis = commands();
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletionStage<Replay> replay;
    String id = request.lastEventId();
    if (!request.first()) {
      replay = page(redis, Range.Boundary.excluding(StreamIds.id(request.afterPosition())), request, false, Long.MIN_VALUE);
    } else if (EARLIEST.equals(id) || id.isEmpty()) {
      replay = page(redis, Range.Boundary.unbounded(), request, !EARLIEST.equals(id), Long.MIN_VALUE);
    } else if (StreamIds.entryIdOf(id) != null) {
      replay = pageAfterEntry(redis, StreamIds.entryIdOf(id), request, false);
    } else {
      replay = redis.get(OwnIds.indexKey(settings.streamKey(), id)).thenCompose(entryId ->
          entryId != null && StreamIds.isStreamId(entryId) ? pageAfterEntry(redis, entryId, request, true)
              : page(redis, Range.Boundary.unbounded(), request, true, Long.MIN_VALUE));
    }
    return replay.toCompletableFuture().exceptionallyCompose(e -> CompletableFuture.failedFuture(unavailable(e)));
  }

  private CompletionStage<Replay> pageAfterEntry(RedisAsyncCommands<String, String> redis, String entryId,
      ReplayRequest request, boolean ownId) {
    return redis.xrange(settings.streamKey(), Range.create(entryId, entryId), Limit.from(1)).thenCompose(found -> {
      boolean known = !found.isEmpty() && mayKnow(request, found.get(0));
      if (!known && ownId) return page(redis, Range.Boundary.unbounded(), request, true, Long.MIN_VALUE);
      boolean future = !known && StreamIds.millis(entryId) > clock.millis() + FUTURE_ID_TOLERANCE.toMillis();
      Range.Boundary<String> from = future ? Range.Boundary.unbounded() : Range.Boundary.excluding(entryId);
      long after = future ? Long.MIN_VALUE : StreamIds.position(entryId);
      return page(redis, from, request, !known, after);
    });
  }

  private static boolean mayKnow(ReplayRequest request, StreamMessage<String, String> entry) {
    StoredEvent e = EntryCodec.decode(entry.getId(), entry.getBody());
    return request.mayKnow(e.topics(), e.privateUpdate());
  }

  private CompletionStage<Replay> page(RedisAsyncCommands<String, String> redis, Range.Boundary<String> from,
      ReplayRequest request, boolean cut, long afterPosition) {
    return pageFrom(redis, from, request, new ArrayList<>(), 0)
        .thenApply(more -> new Replay(more.events(), cut, afterPosition, more.more()));
  }

  /**
   * Reads entries in XRANGE batches sized from the events read so far (the first holds 16), so that
   * a page of large events stops near its byte bound instead of fetching its whole count first.
   */
  private CompletionStage<Replay> pageFrom(RedisAsyncCommands<String, String> redis, Range.Boundary<String> from,
      ReplayRequest request, List<StoredEvent> into, long bytes) {
    int left = request.maxEvents() - into.size();
    long average = into.isEmpty() ? 0 : Math.max(1, bytes / into.size());
    int count = average == 0 ? Math.min(16, left)
        : (int) Math.max(1, Math.min(left, (request.maxBytes() - bytes) / average));
    return redis.xrange(settings.streamKey(), Range.from(from, Range.Boundary.unbounded()), Limit.from(count))
        .thenCompose(entries -> {
          long total = bytes;
          for (StreamMessage<String, String> m : entries) {
            StoredEvent e = EntryCodec.decode(m.getId(), m.getBody());
            if (!into.isEmpty() && total + ReplayRequest.sizeOf(e) > request.maxBytes()) {
              return CompletableFuture.completedFuture(new Replay(into, false, Long.MIN_VALUE, true));
            }
            into.add(e);
            total += ReplayRequest.sizeOf(e);
          }
          if (entries.size() < count) return CompletableFuture.completedFuture(new Replay(into, false, Long.MIN_VALUE, false));
          if (into.size() == request.maxEvents()) {
            return CompletableFuture.completedFuture(new Replay(into, false, Long.MIN_VALUE, true));
          }
          return pageFrom(redis, Range.Boundary.excluding(entries.get(entries.size() - 1).getId()), request, into, total);
        });
  }

  private CompletionStage<List<StoredEvent>> readFrom(RedisAsyncCommands<String, String> redis,
      Range.Boundary<String> from, List<StoredEvent> into) {
    return redis.xrange(settings.streamKey(), Range.from(from, Range.Boundary.unbounded()), Limit.from(PAGE))
        .thenCompose(page -> {
          for (StreamMessage<String, String> m : page) into.add(EntryCodec.decode(m.getId(), m.getBody()));
          if (page.size() < PAGE) return CompletableFuture.completedFuture(into);
          return readFrom(redis, Range.Boundary.excluding(page.get(page.size() - 1).getId()), into);
        });
  }

  private RedisAsyncCommands<String, String> commands() {
    if (closed) throw new IllegalStateException("the Redis event log is closed");
    StatefulRedisConnection<String, String> p = publisher;
    if (p == null || !p.isOpen() || !tail.redisAnswered()) {
      String why = tail.lastFailure();
      throw new IllegalStateException("Redis is unavailable at " + where() + ": cannot publish or replay now"
          + (why == null ? "" : " (" + why + ")"));
    }
    return p.async();
  }

  private RuntimeException unavailable(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) return (RuntimeException) e;

    return new IllegalStateException("Redis is unavailable at " + where() + ": "
        + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
  }

  /** Where Redis is, for messages: {@code host:port}, or the Sentinel master and its sentinels. */
  private String where() {
    if (uri.getSentinels().isEmpty()) return uri.getHost() + ":" + uri.getPort();
    StringBuilder sentinels = new StringBuilder();
    for (RedisURI s : uri.getSentinels()) {
      sentinels.append(sentinels.length() == 0 ? "" : ",").append(s.getHost()).append(':').append(s.getPort());
    }
    return "Sentinel master " + uri.getSentinelMasterId() + " (sentinels " + sentinels + ")";
  }

  /** On the tail thread after each successful read: (re)connects the publisher, trims by age, reports counts. */
  private void redisAnswered() {
    if (closed) return;
    StatefulRedisConnection<String, String> p = publisher;
    if (p == null || !p.isOpen()) {
      try {
        if (p != null) p.closeAsync();
        StatefulRedisConnection<String, String> connected = publishClient.connect(StringCodec.UTF8);
        publisher = connected;
        if (closed) return; // close() closes it once this thread ended
        LOG.info("connected to Redis at {}, stream {}", where(), settings.streamKey());
      } catch (RuntimeException e) {
        LOG.debug("cannot connect the publisher to Redis at {}: {}", where(), e.toString());
        return;
      }
    }
    long now = clock.millis();
    followSentinel(now);
    if (now - lastTrimMillis >= TRIM_INTERVAL.toMillis()) {
      lastTrimMillis = now;
      String minId = Math.max(0, now - settings.maxAge().toMillis()) + "-0";
      publisher.async().<Long>eval(TRIM_BY_AGE, ScriptOutputType.INTEGER, new String[] {settings.streamKey()}, minId)
          .whenComplete((n, e) -> {
            if (e != null) LOG.debug("age trim of {} failed: {}", settings.streamKey(), e.toString());
          });
    }
    LongSupplier connections = reportedConnections;
    if (connections != null && now - lastReportMillis >= PRESENCE_INTERVAL.toMillis()) {
      lastReportMillis = now;
      long asked = System.nanoTime();
      Presence.report(publisher.async(), settings.streamKey(), node, PRESENCE_TTL, connections.getAsLong(),
          reportedSubscriptions.getAsLong()).whenComplete((live, e) -> {
            if (e != null) {
              LOG.debug("reporting counts to Redis failed: {}", e.toString());
            } else {
              cluster = Presence.sum(live);
              clusterAtNanos = asked;
            }
          });
    }
  }

  /**
   * With a Sentinel URI, about once a second on the tail thread: when Sentinel names another primary
   * than before, drops both connections so that they reconnect, through Sentinel, to it. After a
   * planned switchover the old primary stays up, and a primary, until Sentinel reconfigures it about
   * 10 s later: connections left on it keep writing there, and Redis drops what they wrote when it
   * becomes a replica. The question goes to Sentinel asynchronously: a slow or unreachable Sentinel
   * must not hold up this node's delivery; the tail thread only reads the latest answer.
   */
  private void followSentinel(long now) {
    if (uri.getSentinels().isEmpty() || now - lastSentinelCheckMillis < SENTINEL_CHECK_INTERVAL.toMillis()) return;
    lastSentinelCheckMillis = now;
    askSentinel();
    NamedPrimary named = namedPrimary;
    // An answer to a question asked before the reader's latest connect says nothing of where it leads.
    if (named == null || named.connection() != tail.connects()) return;
    NamedPrimary followed = followedPrimary;
    followedPrimary = named;
    // The first answer on a connection is where it went (through Sentinel, moments before).
    if (followed == null || followed.connection() != named.connection()
        || named.address().equals(followed.address())) {
      return;
    }
    LOG.warn("Sentinel names a new primary for {}: {} (was {}); reconnecting", where(), named.address(),
        followed.address());
    StatefulRedisConnection<String, String> p = publisher;
    if (p != null) p.closeAsync();
    tail.reconnect();
  }

  /** Asks Sentinel which primary it names, unless a question is on its way; the answer lands in namedPrimary. */
  private void askSentinel() {
    if (!askingSentinel.compareAndSet(false, true)) return;
    long askedDuring = tail.connects();
    StatefulRedisSentinelConnection<String, String> open = sentinel;
    CompletableFuture<StatefulRedisSentinelConnection<String, String>> connection;
    if (open != null && open.isOpen()) {
      connection = CompletableFuture.completedFuture(open);
    } else {
      if (open != null) open.closeAsync();
      connection = tailClient.connectSentinelAsync(StringCodec.UTF8, uri).thenApply(c -> {
        sentinel = c;
        if (closed) c.closeAsync(); // close() ran while this connected
        return c;
      });
    }
    connection.thenCompose(c -> c.async().getMasterAddrByName(uri.getSentinelMasterId()))
        .whenComplete((address, e) -> {
          if (e != null) {
            LOG.debug("cannot ask Sentinel for the primary of {}: {}", where(), e.toString());
          } else if (address != null) {
            namedPrimary = new NamedPrimary(askedDuring, address);
          }
          askingSentinel.set(false);
        });
  }

  /** Stops the tail, fails appends still waiting and closes the connections. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    tail.stop();
    try {
      // The tail is never interrupted mid-connect (see StreamTail): wait out a connect, through every sentinel.
      Duration worstCase = settings.readBlock()
          .plus(settings.commandTimeout().multipliedBy(2L + uri.getSentinels().size()))
          .plus(Duration.ofSeconds(1));
      tailThread.join(worstCase.toMillis());
      if (tailThread.isAlive()) LOG.warn("the Redis reader did not stop within {} ms", worstCase.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pending.failAll(new IllegalStateException("the Redis event log is closed"));
    StatefulRedisConnection<String, String> p = publisher;
    if (p != null && p.isOpen() && reportedConnections != null) {
      try {
        Presence.leave(p.async(), settings.streamKey(), node).get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        LOG.debug("could not remove this node's counts from Redis: {}", e.toString());
      }
    }
    if (p != null) p.close();
    StatefulRedisSentinelConnection<String, String> s = sentinel;
    if (s != null) s.close();
    publishClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    tailClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /**
   * How a {@link RedisEventLog} uses Redis. Immutable: each {@code with...} returns a changed copy.
   *
   * @param streamKey the stream every node appends to and reads
   * @param maxEvents events kept (approximately, {@code MAXLEN ~})
   * @param maxAge age after which events are trimmed (approximately, {@code MINID ~})
   * @param commandTimeout how long a command (XADD, XRANGE, a connect) may take before it fails
   * @param readBlock how long one {@code XREAD BLOCK} waits; bounds how quickly {@code close()} returns
   * @param deliveryTimeout how long an accepted append waits for this node's tail to read it back
   * @param replicas replicas that must have received an event before its publish is acknowledged
   *     ({@code WAIT replicas replicaTimeout} after each XADD); 0 to not wait
   * @param replicaTimeout how long a publish waits for {@code replicas}; shorter than
   *     {@code commandTimeout}
   */
  public record Settings(String streamKey, long maxEvents, Duration maxAge, Duration commandTimeout,
      Duration readBlock, Duration deliveryTimeout, int replicas, Duration replicaTimeout) {
    /** Default stream key. */
    public static final String DEFAULT_STREAM_KEY = "herald:events";
    /** Default number of events kept. */
    public static final long DEFAULT_MAX_EVENTS = 100_000;
    /** Default age after which events are trimmed. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    /** Default command timeout: a publish fails after this long when Redis does not answer. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** Default XREAD block time. */
    public static final Duration DEFAULT_READ_BLOCK = Duration.ofMillis(500);
    /** Default time an accepted append waits for the tail. */
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(5);
    /** Default time a publish waits for replicas, when it waits for any. */
    public static final Duration DEFAULT_REPLICA_TIMEOUT = Duration.ofSeconds(1);

    public Settings {
      Objects.requireNonNull(streamKey, "streamKey");
      if (streamKey.isEmpty()) throw new IllegalArgumentException("empty stream key");
      if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
      requirePositive(maxAge, "maxAge");
      requirePositive(commandTimeout, "commandTimeout");
      requirePositive(readBlock, "readBlock");
      requirePositive(deliveryTimeout, "deliveryTimeout");
      if (replicas < 0) throw new IllegalArgumentException("replicas must not be negative: " + replicas);
      requirePositive(replicaTimeout, "replicaTimeout");
      if (replicaTimeout.compareTo(commandTimeout) >= 0) {
        throw new IllegalArgumentException("replicaTimeout " + replicaTimeout + " must be shorter than commandTimeout "
            + commandTimeout);
      }
    }

    private static void requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive: " + d);
    }

    /** Every default. */
    public static Settings defaults() {
      return new Settings(DEFAULT_STREAM_KEY, DEFAULT_MAX_EVENTS, DEFAULT_MAX_AGE, DEFAULT_COMMAND_TIMEOUT,
          DEFAULT_READ_BLOCK, DEFAULT_DELIVERY_TIMEOUT, 0, DEFAULT_REPLICA_TIMEOUT);
    }

    public Settings withStreamKey(String key) {
      return new Settings(key, maxEvents, maxAge, commandTimeout, readBlock, deliveryTimeout, replicas, replicaTimeout);
    }

    public Settings withMaxEvents(long max) {
      return new Settings(streamKey, max, maxAge, commandTimeout, readBlock, deliveryTimeout, replicas, replicaTimeout);
    }

    public Settings withMaxAge(Duration age) {
      return new Settings(streamKey, maxEvents, age, commandTimeout, readBlock, deliveryTimeout, replicas, replicaTimeout);
    }

    public Settings withCommandTimeout(Duration timeout) {
      return new Settings(streamKey, maxEvents, maxAge, timeout, readBlock, deliveryTimeout, replicas, replicaTimeout);
    }

    public Settings withReadBlock(Duration block) {
      return new Settings(streamKey, maxEvents, maxAge, commandTimeout, block, deliveryTimeout, replicas, replicaTimeout);
    }

    public Settings withDeliveryTimeout(Duration timeout) {
      return new Settings(streamKey, maxEvents, maxAge, commandTimeout, readBlock, timeout, replicas, replicaTimeout);
    }

    /** Acknowledges a publish only once {@code count} replicas received it, waiting at most {@code timeout}. */
    public Settings withReplicas(int count, Duration timeout) {
      return new Settings(streamKey, maxEvents, maxAge, commandTimeout, readBlock, deliveryTimeout, count, timeout);
    }
  }
}
