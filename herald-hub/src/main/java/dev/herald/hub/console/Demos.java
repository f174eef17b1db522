package dev.herald.hub.console;

import dev.herald.redis.ClusterCounts;
import dev.herald.server.Broker;
import dev.herald.server.HeraldServer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's live figures and the demos, installed on a hub's server builder:
 *
 * <ul>
 *   <li>{@code GET /console/stats}: the hub's figures once a second (always);
 *   <li>{@code GET /api/send?reply=<uuid>&message=...}: the streaming chat, its replies kept in
 *       memory, outside the broker and its history (demos on);
 *   <li>{@code GET /demo/ticker/events}: made-up prices a few times a second, outside the broker
 *       and its history (demos on).
 * </ul>
 *
 */
public final class Demos implements AutoCloseable {
  /** The chat demo's stream path. */
  public static final String CHAT_PATH = "/api/send";
  /** The console's figures stream path. */
  public static final String STATS_PATH = LiveFigures.PATH;

  private static final Logger LOG = LoggerFactory.getLogger(Demos.class);

  private final ScheduledExecutorService timer;
  private final ChatReplies chat;
  private final ChatResponder responder;

  private Demos(ScheduledExecutorService timer, ChatReplies chat, ChatResponder responder) {
    this.timer = timer;
    this.chat = chat;
    this.responder = responder;
  }

  /**
   * Registers the figures stream and, when {@code demosOn}, the chat stream and the ticker on
   * {@code builder}, and starts their background work.
   *
   * @param broker the broker the server being built serves
   * @param responder writes the chat's replies (closed with the demos); ignored, and may be null,
   *     when {@code demosOn} is false
   * @param cluster the whole cluster's counts on a node of a cluster, when known; always empty on a
   *     hub on its own
   * @return what stops the background work: close it after the server
   */
  public static Demos install(HeraldServer.Builder builder, Broker broker, ChatResponder responder,
      boolean demosOn, Supplier<Optional<ClusterCounts>> cluster) {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(cluster, "cluster");
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "herald-console");
      t.setDaemon(true);
      return t;
    });
    LiveFigures figures = new LiveFigures(broker, cluster);
    builder.route(STATS_PATH, figures);
    repeat(timer, figures::sample, LiveFigures.INTERVAL.toMillis());
    ChatReplies chat = null;
    if (demosOn) {
      Objects.requireNonNull(responder, "responder");
      chat = new ChatReplies(responder);
      builder.route(CHAT_PATH, chat);
      Ticker ticker = new Ticker(System.nanoTime());
      builder.route(Ticker.PATH, ticker);
      repeat(timer, ticker::tick, Ticker.INTERVAL.toMillis());
    }
    return new Demos(timer, chat, demosOn ? responder : null);
  }

  private static void repeat(ScheduledExecutorService timer, Runnable task, long periodMillis) {
    timer.scheduleAtFixedRate(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        // Keep the schedule: an exception would cancel every later run.
        LOG.warn("console task failed", e);
      }
    }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (chat != null) chat.close();
    if (responder != null) responder.close();
  }
}
