package dev.herald.server;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One page of a replay, as the broker asks a log for it ({@link EventLog#readPage}). The first page
 * names the id a client resumes from; each next one, the position of the last event of the page
 * before. A page holds at most {@code maxEvents} events and stops before {@code maxBytes}, counted
 * with {@link #sizeOf} (but always holds at least one event, so an event larger than the bound is
 * still read, alone).
 *
 * @param lastEventId the id the client resumes from ({@link EventLog#EARLIEST} for everything) on
 *     the first page; null on the next ones
 * @param afterPosition on a next page, the position after which it starts; ignored on the first
 * @param subscription what the stream follows: a log may read only its topics, and must treat a
 *     resume from a private update the subscriber may not see as a resume from an unknown id
 * @param maxEvents at most this many events in the page, at least 1
 * @param maxBytes bytes ({@link #sizeOf}) after which the page stops, at least 1
 */
public record ReplayRequest(String lastEventId, long afterPosition, Subscription subscription, int maxEvents,
    long maxBytes) {
  public ReplayRequest {
    Objects.requireNonNull(subscription, "subscription");
    if (maxEvents < 1) throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
    if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
  }

  /**
   * What an event read for a replay holds in memory, as pages and the broker's replay budget count
   * it: its frame, its data once more in the decoded event, and about 256 bytes of objects around
   * them. An estimate (data outside Latin-1 takes more in the event), but one that grows with the
   * event, so that a page of many small events is not mistaken for a small page.
   */
  public static long sizeOf(StoredEvent event) {
    return 2L * event.frame().length + 256;
  }

  /** The first page of a resume from {@code lastEventId}. */
  public static ReplayRequest after(String lastEventId, Subscription subscription, int maxEvents, long maxBytes) {
    return new ReplayRequest(Objects.requireNonNull(lastEventId, "lastEventId"), Long.MIN_VALUE, subscription,
        maxEvents, maxBytes);
  }

  /** The page after the one that ended with the event at {@code position}. */
  public ReplayRequest next(long position) {
    return new ReplayRequest(null, position, subscription, maxEvents, maxBytes);
  }

  /** Whether this is the first page, which resolves {@link #lastEventId}. */
  public boolean first() {
    return lastEventId != null;
  }

  /**
   * The exact topics a log may restrict the page to, or null when the subscription has patterns (a
   * log then reads every topic, and the broker filters).
   */
  public Set<String> exactTopics() {
    return subscription.patterns().isEmpty() ? subscription.topics() : null;
  }

  /**
   * Whether the subscriber may learn that an event published to {@code topics} exists: a private
   * update only if it is authorised for one of its topics. A log resolving a resume id whose event
   * it may not know answers as for an id it never held, so that the answer tells nothing about it.
   */
  public boolean mayKnow(List<String> topics, boolean privateUpdate) {
    return !privateUpdate || subscription.authorisedFor(topics);
  }
}
