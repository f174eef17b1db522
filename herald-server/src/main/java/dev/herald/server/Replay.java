package dev.herald.server;

import java.util.List;

/**
 * What a log holds after a requested id.
 *
 * @param events the retained events after the requested id, oldest first (all retained events when
 *     the history was cut)
 * @param historyCut whether the requested id is no longer (or never was) in the log, so events may
 *     have been missed
 * @param afterPosition the log position of the requested id when the log knows it, else
 *     {@link Long#MIN_VALUE}: the client has every event up to it, so a live event at or before it
 *     is not sent again (a cluster node whose tail is behind the node that told the client the id
 *     would otherwise deliver it live once more)
 */
public record Replay(List<StoredEvent> events, boolean historyCut, long afterPosition) {
  public Replay {
    events = List.copyOf(events);
  }

  /** A replay whose requested id has no known position. */
  public Replay(List<StoredEvent> events, boolean historyCut) {
    this(events, historyCut, Long.MIN_VALUE);
  }
}
