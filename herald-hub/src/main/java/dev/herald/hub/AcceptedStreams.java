package dev.herald.hub;

import dev.herald.server.StreamRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a hub component recorded of a stream when it accepted the request, until the stream
 * connects: the broker's callbacks give the request without its headers, so the record is found
 * again by that header-less request. A request refused after it was accepted (the server's stream
 * or topic cap) never connects: its record is dropped once it is {@link #MAX_AGE} old, so that
 * refusals under load cannot fill the map. Thread-safe.
 */
final class AcceptedStreams<V> {
  /** Longest a record waits for its stream: streams connect at once after they are accepted. */
  static final Duration MAX_AGE = Duration.ofMinutes(1);

  private record Entry<V>(V value, long acceptedAt) {}

  private final Map<StreamRequest, Entry<V>> entries = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;
  private final AtomicLong nextSweep;

  AcceptedStreams() {
    this(System::nanoTime);
  }

  AcceptedStreams(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.nextSweep = new AtomicLong(nanoTime.getAsLong() + MAX_AGE.toNanos());
  }

  /** Records {@code value} for the stream {@code request} asks for; drops records too old, at most once a {@link #MAX_AGE}. */
  void put(StreamRequest request, V value) {
    long now = nanoTime.getAsLong();
    entries.put(request.withoutHeaders(), new Entry<>(value, now));
    long sweep = nextSweep.get();
    if (now - sweep >= 0 && nextSweep.compareAndSet(sweep, now + MAX_AGE.toNanos())) {
      long maxAge = MAX_AGE.toNanos();
      entries.values().removeIf(e -> now - e.acceptedAt() > maxAge);
    }
  }

  /** The value recorded for {@code request} (as the broker's callbacks give it), removed; null if none. */
  V remove(StreamRequest request) {
    Entry<V> e = entries.remove(request);
    return e == null ? null : e.value();
  }

  /** Records waiting (tests). */
  int size() {
    return entries.size();
  }
}
