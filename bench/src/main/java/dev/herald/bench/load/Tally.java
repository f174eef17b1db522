package dev.herald.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What every subscriber received: publish-to-receive latency, deliveries, and the per-subscriber
 * checks of loss, duplication and order. Single-threaded: the load generator's event loop.
 */
final class Tally {
  /** Latencies in microseconds, up to an hour, 3 significant digits. */
  final Histogram latencyMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
  /** Per event: from its send to its delivery to the last subscriber, in microseconds. */
  final Histogram completionMicros = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
  /** Latencies per subscribe target (a cluster's nodes), indexed by {@link Subscriber#target}. */
  Histogram[] latencyByTargetMicros = {new Histogram(TimeUnit.HOURS.toMicros(1), 3)};
  /**
   * Per target: from an event's send to its first delivery through that target. The path to the
   * node (for a cluster: Redis and the node's stream reader) without the queue of the fan-out.
   */
  Histogram[] firstByTargetMicros = {new Histogram(TimeUnit.HOURS.toMicros(1), 3)};
  /** Per target, a ring like {@link #perEvent}: 1 once the event reached one of its subscribers. */
  private byte[][] firstSeen = {new byte[1 << 20]};
  final List<Subscriber> subscribers = new ArrayList<>();
  final List<String> failures = new ArrayList<>();

  /** The first id of this run; ids below it or past the last acknowledged one are unexpected. */
  long baseId = Long.MAX_VALUE;
  long deliveries;
  long firstDeliveryNanos;
  long lastDeliveryNanos;
  int ready;
  int closedEarly;
  int ended;
  boolean closing;
  /** Called on every delivery once set, to detect the end of a run without polling. */
  Runnable onDelivery = () -> {};
  /** Called when an event reached every subscriber. */
  Runnable onEventComplete = () -> {};
  long eventsComplete;
  /** Reconnection scenario: events 0..catchupTarget-1 must reach every subscriber again. */
  long catchupTarget = -1;
  int caughtUp;
  long allCaughtUpNanos;
  int reconnecting;
  /** Deliveries per event, a ring indexed by id - baseId; far larger than any window in flight. */
  private final int[] perEvent = new int[1 << 20];

  /** Keeps one latency histogram per subscribe target; before any delivery. */
  void targets(int count) {
    latencyByTargetMicros = new Histogram[count];
    firstByTargetMicros = new Histogram[count];
    firstSeen = new byte[count][perEvent.length];
    for (int i = 0; i < count; i++) {
      latencyByTargetMicros[i] = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
      firstByTargetMicros[i] = new Histogram(TimeUnit.HOURS.toMicros(1), 3);
    }
  }

  void ready(Subscriber s) {
    ready++;
  }

  void delivered(Subscriber s, long id, long sendNanos, long now) {
    long index = id - baseId;
    if (index < 0 || index >= Integer.MAX_VALUE) {
      s.unexpected++;
      return;
    }
    boolean fresh = !s.seen.get((int) index);
    if (!fresh) {
      s.duplicates++;
    } else {
      s.seen.set((int) index);
      s.distinct++;
      if (id < s.highest) s.outOfOrder++;
    }
    if (id > s.highest) s.highest = id;
    if (catchupTarget >= 0 && !s.caughtUp && s.seen.nextClearBit(0) >= catchupTarget) {
      s.caughtUp = true;
      if (++caughtUp == subscribers.size()) allCaughtUpNanos = now;
    }
    if (deliveries++ == 0) firstDeliveryNanos = now;
    lastDeliveryNanos = now;
    long micros = Math.max(0, Math.min((now - sendNanos) / 1000, latencyMicros.getHighestTrackableValue()));
    latencyMicros.recordValue(micros);
    latencyByTargetMicros[s.target].recordValue(micros);
    int slot = (int) (index & (perEvent.length - 1));
    if (fresh && firstSeen[s.target][slot] == 0) {
      firstSeen[s.target][slot] = 1;
      firstByTargetMicros[s.target].recordValue(micros);
    }
    if (fresh && ++perEvent[slot] == subscribers.size()) {
      perEvent[slot] = 0;
      for (byte[] seen : firstSeen) seen[slot] = 0;
      eventsComplete++;
      completionMicros.recordValue(micros);
      onEventComplete.run();
    }
    onDelivery.run();
  }

  void ended(Subscriber s) {
    if (!closing) ended++;
  }

  void closed(Subscriber s) {
    if (s.reconnecting) {
      reconnecting--;
      return;
    }
    if (!closing) {
      closedEarly++;
      onDelivery.run(); // may be the end of the run: nobody left to deliver to
    }
  }

  void failed(String why) {
    if (failures.size() < 20) failures.add(why);
  }

  /** Sums the per-subscriber checks against {@code published} events with ids from {@link #baseId}. */
  Checks checks(long published) {
    Checks c = new Checks();
    for (Subscriber s : subscribers) {
      long distinctInRange = s.seen.cardinality();
      // Ids acknowledged are baseId .. baseId+published-1; any seen past them is unexpected.
      int beyond = s.seen.nextSetBit((int) published);
      long extra = beyond < 0 ? 0 : s.seen.get((int) published, s.seen.length()).cardinality();
      c.lost += published - (distinctInRange - extra);
      c.unexpected += s.unexpected + extra;
      c.duplicated += s.duplicates;
      c.outOfOrder += s.outOfOrder;
    }
    return c;
  }

  static final class Checks {
    long lost;
    long duplicated;
    long outOfOrder;
    long unexpected;

    boolean clean() {
      return lost == 0 && duplicated == 0 && outOfOrder == 0 && unexpected == 0;
    }
  }
}
