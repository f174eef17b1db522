package dev.herald.server;

import java.util.List;

/**
 * What a log holds after a requested id: the whole replay ({@link EventLog#readAfter}) or one page
 * of it ({@link EventLog#readPage}).
 *
 * @param events the retained events after the requested id, oldest first (all retained events when
 *     the history was cut); for a page, at most what the {@link ReplayRequest} allows
 * @param historyCut whether the requested id is no longer (or never was) in the log, so events may
 *     have been missed; only a first page reports it
 * @param afterPosition the log position of the requested id when the log knows it, else
 *     {@link Long#MIN_VALUE}: the client has every event up to it, so a live event at or before it
 *     is not sent again (a cluster node whose tail is behind the node that told the client the id
 *     would otherwise deliver it live once more)
 * @param more whether the page stopped at one of its bounds, so the log may hold more after its
 *     last event; false for a whole replay
 */
public record Replay(List<StoredEvent> events, boolean historyCut, long afterPosition, boolean more) {
  public Replay {
    events = List.copyOf(events);
  }

  /** A whole replay. */
  public Replay(List<StoredEvent> events, boolean historyCut, long afterPosition) {
    this(events, historyCut, afterPosition, false);
  }

  /** A whole replay whose requested id has no known position. */
  public Replay(List<StoredEvent> events, boolean historyCut) {
    this(events, historyCut, Long.MIN_VALUE, false);
  }

  /** What the events hold in memory ({@link ReplayRequest#sizeOf}), as the broker's replay budget counts it. */
  public long bytes() {
    long bytes = 0;
    for (StoredEvent e : events) bytes += ReplayRequest.sizeOf(e);
    return bytes;
  }
}
