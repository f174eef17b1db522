package dev.herald.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.protocol.Event;
import dev.herald.redis.ClusterCounts;
import dev.herald.server.Broker;
import dev.herald.server.BrokerListener;
import dev.herald.server.BrokerStats;
import dev.herald.server.EventStream;
import dev.herald.server.StreamHandler;
import dev.herald.server.StreamRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code GET /console/stats}: the hub's live figures as an event stream, one {@code figures} event
 * per {@link #INTERVAL}: {@code {"connections", "subscribers", "published", "delivered",
 * "publishedPerSecond", "deliveredPerSecond", "slowConsumersClosed"}}, plus {@code "cluster":
 * {"nodes", "connections", "subscriptions"}} on a node of a cluster whose figures are known.
 * One sample, taken by {@link #sample()}, goes to every open stream; the rates are the differences
 * between successive {@link BrokerStats}.
 */
final class LiveFigures implements StreamHandler {
  /** How often the figures are sampled and sent. */
  static final Duration INTERVAL = Duration.ofSeconds(1);
  static final String PATH = "/console/stats";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Broker broker;
  private final Supplier<Optional<ClusterCounts>> cluster;
  private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
  /** Topic-stream connections, counted from the broker's connects and disconnects. */
  private final AtomicInteger subscribers = new AtomicInteger();
  private BrokerStats previous; // sampling thread only
  private long previousNanos;
  private volatile Event latest;

  LiveFigures(Broker broker, Supplier<Optional<ClusterCounts>> cluster) {
    this.broker = broker;
    this.cluster = cluster;
    broker.addListener(new BrokerListener() {
      @Override
      public void onConnect(StreamRequest request) {
        if (!request.path().equals(PATH)) subscribers.incrementAndGet();
      }

      @Override
      public void onDisconnect(StreamRequest request, String reason) {
        if (!request.path().equals(PATH)) subscribers.decrementAndGet();
      }
    });
  }

  /** Called on an event-loop thread: sends the latest figures at once, then every sample. */
  @Override
  public void handle(StreamRequest request, EventStream stream) {
    streams.add(stream);
    stream.onClose(() -> streams.remove(stream));
    Event now = latest;
    if (now != null) stream.send(now);
  }

  /** Takes one sample and sends it; called every {@link #INTERVAL} from one thread. */
  void sample() {
    long nanos = System.nanoTime();
    BrokerStats stats = broker.stats();
    double seconds = previous == null ? 0 : (nanos - previousNanos) / 1e9;
    ObjectNode figures = JSON.createObjectNode()
        .put("connections", stats.connections())
        .put("subscribers", Math.max(0, subscribers.get()))
        .put("published", stats.published())
        .put("delivered", stats.delivered())
        .put("publishedPerSecond", rate(seconds, stats.published(), previous == null ? 0 : previous.published()))
        .put("deliveredPerSecond", rate(seconds, stats.delivered(), previous == null ? 0 : previous.delivered()))
        .put("slowConsumersClosed", stats.slowConsumersClosed());
    // No lambda over ClusterCounts: linking one would load herald-redis's classes in every hub,
    // while a hub without --redis loads nothing of Redis (QuickStartTest).
    Optional<ClusterCounts> counts = cluster.get();
    if (counts.isPresent()) putCluster(figures, counts.get());
    previous = stats;
    previousNanos = nanos;
    Event event = Event.named("figures", figures.toString());
    latest = event;
    for (EventStream s : streams) {
      if (s.isOpen()) s.send(event);
    }
  }

  private static void putCluster(ObjectNode figures, ClusterCounts c) {
    figures.putObject("cluster")
        .put("nodes", c.nodes())
        .put("connections", c.connections())
        .put("subscriptions", c.subscriptions());
  }

  private static double rate(double seconds, long now, long before) {
    if (seconds <= 0) return 0;
    return Math.round((now - before) / seconds * 10) / 10.0;
  }
}
