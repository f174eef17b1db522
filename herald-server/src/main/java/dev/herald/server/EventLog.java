package dev.herald.server;

import dev.herald.protocol.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The history behind a broker: it orders events, gives them ids, keeps them for replay and feeds
 * the broker's fan-out. Implementations: {@link InMemoryEventLog}; the hub adds a durable one and a
 * Redis one.
 *
 * <p>The log, not the publisher, is the source of fan-out: every appended event, from this process
 * or (in a cluster) from another, goes to the {@linkplain #onAppend tail consumer} exactly once, in
 * the log's order, one call at a time. This is what keeps delivery order equal to replay order.
 */
public interface EventLog extends AutoCloseable {
  /**
   * Appends {@code event} to {@code topics}. The returned stage completes once the event is as
   * durable as the log promises, and not before it went to the tail consumer.
   *
   * <p>If the event carries its own id, the log keeps it as the event's id; otherwise the log
   * assigns one, starting with {@value #ASSIGNED_ID_MARK} (the broker refuses own ids that do, so
   * the two never collide). An own id may repeat, and no append is refused
   * because another used the same id: each append is a new event, and {@link #readAfter} reads
   * after the oldest retained event with that id. A private update reaches only subscribers
   * authorised for one of its topics (see {@link Subscription}).
   */
  CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate);

  /**
   * Reads the retained events after {@code lastEventId} (after its oldest retained occurrence, if
   * several events carry it), oldest first; {@link #EARLIEST} reads all of them (without reporting
   * a cut). All at once, however many: the broker reads with {@link #readPage} instead.
   */
  CompletionStage<Replay> readAfter(String lastEventId);

  /**
   * Reads one page of a replay, off the caller's thread if it blocks (the broker calls it on an
   * event loop). The broker asks for the next page only once the previous one was written, so a
   * replay holds one page per stream in memory, whatever the history's size.
   *
   * <p>The first page resolves {@link ReplayRequest#lastEventId()} as {@link #readAfter} does, and
   * reports the cut and the id's position; a resume from an event the subscriber may not know
   * ({@link ReplayRequest#mayKnow}) is answered exactly as one from an id the log never held. A
   * page may leave out events of topics other than {@link ReplayRequest#exactTopics()} (the broker
   * filters anyway); it sets {@link Replay#more()} when it stopped at a bound.
   *
   * <p>The default reads the whole replay with {@link #readAfter} as one last page: a log that does
   * not page still works, without the bound.
   */
  default CompletionStage<Replay> readPage(ReplayRequest request) {
    if (!request.first()) {
      return CompletableFuture.completedFuture(new Replay(List.of(), false));
    }
    return readAfter(request.lastEventId());
  }

  /** The reserved id that asks for all retained history, as in Mercure's {@code lastEventID=earliest}. */
  String EARLIEST = "earliest";

  /**
   * How every id a log assigns starts ({@code #62}: Mercure's "relative URI composed of a fragment",
   * a valid IRI reference unique for this log). An update's own id must not start with it.
   */
  String ASSIGNED_ID_MARK = "#";

  /** Sets the one consumer of appended events; called in order, one event at a time. */
  void onAppend(Consumer<StoredEvent> tail);

  /**
   * Sets what to do when events were dropped from the history before they reached the tail
   * consumer (a cluster node that fell further behind than the history keeps). Called on the tail
   * consumer's thread, after the last event before the gap and before the first after it. The
   * broker then ends every topic subscriber's stream, so that each resumes with its {@code
   * Last-Event-ID} (docs/architecture.md, "A gap in the log"). A log that never skips events never
   * calls it.
   */
  default void onTailGap(Runnable gap) {}

  @Override
  default void close() {}
}
