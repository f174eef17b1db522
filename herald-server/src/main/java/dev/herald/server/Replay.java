package dev.herald.server;

import java.util.List;

/**
 * What a log holds after a requested id.
 *
 * @param events the retained events after the requested id, oldest first (all retained events when
 *     the history was cut)
 * @param historyCut whether the requested id is no longer (or never was) in the log, so events may
 *     have been missed
 */
public record Replay(List<StoredEvent> events, boolean historyCut) {
  public Replay {
    events = List.copyOf(events);
  }
}
