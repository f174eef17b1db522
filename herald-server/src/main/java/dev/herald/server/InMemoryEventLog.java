package dev.herald.server;

import dev.herald.protocol.Event;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * An event log in memory, bounded by count, bytes and age. Ids it assigns are the decimal
 * position, {@code "1"}, {@code "2"}, ...; an event published with its own id keeps it. Own ids
 * of decimal digits only are refused, so that no own id can ever equal an assigned one. An own id
 * may repeat (a retried publish, one id on several topics): each append is a new event, and a
 * resume from that id reads after its oldest retained occurrence. Nothing survives a restart.
 *
 * <p>Thread-safe; appends are serialised, and an append hands the event to the tail consumer before
 * it returns, so fan-out order is log order.
 */
public final class InMemoryEventLog implements EventLog {
  /** Default number of events kept. */
  public static final int DEFAULT_MAX_EVENTS = 10_000;
  /** Default bytes of encoded frames kept. */
  public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
  /** Default age after which events are dropped. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);

  private final int maxEvents;
  private final long maxBytes;
  private final long maxAgeMillis;
  private final Clock clock;

  /** By position: a page starts with a lookup, not a walk from either end. */
  private final NavigableMap<Long, StoredEvent> events = new TreeMap<>();
  /** Own and assigned ids to the position of their oldest retained occurrence. */
  private final Map<String, Long> positions = new HashMap<>();
  /** Ids retained more than once, with how many occurrences beyond the first: usually empty. */
  private final Map<String, Integer> repeats = new HashMap<>();
  private long lastPosition;
  private long bytes;
  private Consumer<StoredEvent> tail = e -> {};

  private InMemoryEventLog(int maxEvents, long maxBytes, Duration maxAge, Clock clock) {
    if (maxEvents < 0) throw new IllegalArgumentException("maxEvents must not be negative: " + maxEvents);
    if (maxBytes < 0) throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
    if (maxAge.isNegative()) throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.maxAgeMillis = maxAge.toMillis();
    this.clock = clock;
  }

  /** A log with the default limits. */
  public static InMemoryEventLog create() {
    return create(DEFAULT_MAX_EVENTS, DEFAULT_MAX_BYTES, DEFAULT_MAX_AGE);
  }

  /** A log keeping at most {@code maxEvents} events, {@code maxBytes} of frames, for {@code maxAge}. */
  public static InMemoryEventLog create(int maxEvents, long maxBytes, Duration maxAge) {
    return new InMemoryEventLog(maxEvents, maxBytes, maxAge, Clock.systemUTC());
  }

  static InMemoryEventLog create(int maxEvents, long maxBytes, Duration maxAge, Clock clock) {
    return new InMemoryEventLog(maxEvents, maxBytes, maxAge, clock);
  }

  @Override
  public synchronized void onAppend(Consumer<StoredEvent> tail) {
    this.tail = Objects.requireNonNull(tail, "tail");
  }

  @Override
  public CompletionStage<StoredEvent> append(List<String> topics, Event event, boolean privateUpdate) {
    StoredEvent stored;
    synchronized (this) {
      long position = lastPosition + 1;
      String id = event.id() != null ? event.id() : ASSIGNED_ID_MARK + position;
      stored = StoredEvent.of(id, position, topics, event, clock.millis(), privateUpdate);
      lastPosition = position;
      events.put(position, stored);
      if (positions.putIfAbsent(id, position) != null) repeats.merge(id, 1, Integer::sum);
      bytes += stored.frame().length;
      evict(stored.timestampMillis());
      // Under the lock: the tail sees events in position order.
      tail.accept(stored);
    }
    return CompletableFuture.completedFuture(stored);
  }

  @Override
  public synchronized CompletionStage<Replay> readAfter(String lastEventId) {
    evict(clock.millis());
    List<StoredEvent> result = new ArrayList<>();
    if (EARLIEST.equals(lastEventId)) {
      result.addAll(events.values());
      return CompletableFuture.completedFuture(new Replay(result, false));
    }
    Long after = positions.get(lastEventId);
    if (after == null) {
      result.addAll(events.values());
      return CompletableFuture.completedFuture(new Replay(result, true));
    }
    // Walk back from the newest: resumes usually ask for the last few events.
    Iterator<StoredEvent> it = events.descendingMap().values().iterator();
    while (it.hasNext()) {
      StoredEvent e = it.next();
      if (e.position() <= after) break;
      result.add(e);
    }
    Collections.reverse(result);
    return CompletableFuture.completedFuture(new Replay(result, false));
  }

  @Override
  public synchronized CompletionStage<Replay> readPage(ReplayRequest request) {
    evict(clock.millis());
    if (!request.first()) return CompletableFuture.completedFuture(page(request, request.afterPosition(), false));
    String id = request.lastEventId();
    if (EARLIEST.equals(id)) return CompletableFuture.completedFuture(page(request, Long.MIN_VALUE, false));
    Long after = positions.get(id);
    StoredEvent resumed = after == null ? null : events.get(after);
    if (resumed == null || !request.mayKnow(resumed.topics(), resumed.privateUpdate())) {
      return CompletableFuture.completedFuture(page(request, Long.MIN_VALUE, true));
    }
    Replay page = page(request, after, false);
    return CompletableFuture.completedFuture(new Replay(page.events(), false, after, page.more()));
  }

  /** Up to a page of the events after {@code after}; the stream filters topics, this just bounds. */
  private Replay page(ReplayRequest request, long after, boolean cut) {
    List<StoredEvent> result = new ArrayList<>();
    long bytes = 0;
    for (StoredEvent e : events.tailMap(after, false).values()) {
      if (result.size() == request.maxEvents()
          || (!result.isEmpty() && bytes + ReplayRequest.sizeOf(e) > request.maxBytes())) {
        return new Replay(result, cut, Long.MIN_VALUE, true);
      }
      result.add(e);
      bytes += ReplayRequest.sizeOf(e);
    }
    return new Replay(result, cut, Long.MIN_VALUE, false);
  }

  /** Events currently retained. */
  public synchronized int size() {
    return events.size();
  }

  private void evict(long nowMillis) {
    while (!events.isEmpty()) {
      StoredEvent oldest = events.firstEntry().getValue();
      boolean over = events.size() > maxEvents
          || bytes > maxBytes
          || nowMillis - oldest.timestampMillis() > maxAgeMillis;
      if (!over) return;
      events.pollFirstEntry();
      forget(oldest);
      bytes -= oldest.frame().length;
    }
  }

  /** Drops an evicted event's id, or moves it to the id's next retained occurrence. */
  private void forget(StoredEvent evicted) {
    String id = evicted.id();
    Integer more = repeats.get(id);
    if (more == null) {
      positions.remove(id);
      return;
    }
    if (more == 1) repeats.remove(id);
    else repeats.put(id, more - 1);
    for (StoredEvent e : events.values()) { // only for repeated ids, which are rare
      if (e.id().equals(id)) {
        positions.put(id, e.position());
        return;
      }
    }
  }
}
