package dev.herald.server.internal;

import dev.herald.server.StoredEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * An event on its way to one event loop's subscribers, with that loop's reference to the chunk; or,
 * when {@code gap} is set, the marker of a gap in the log's tail (see
 * {@link #gap(StoredEvent, StoredEvent)}).
 */
record Pending(StoredEvent event, ByteBuf chunk, int payloadOffset, Gap gap) {
  Pending(StoredEvent event, ByteBuf chunk, int payloadOffset) {
    this(event, chunk, payloadOffset, null);
  }

  /**
   * Not an event: the log skipped events here, so topic subscribers must start over (see
   * EventLog#onTailGap). It holds no bytes (an empty chunk, so it counts 0 in the broker's queued
   * bytes, and releasing it is a no-op) and no event.
   *
   * @param lastBefore the last event fanned out before the gap, null if none was
   * @param lastPublicBefore the last public one, null if none was
   */
  static Pending gap(StoredEvent lastBefore, StoredEvent lastPublicBefore) {
    return new Pending(null, Unpooled.EMPTY_BUFFER, 0, new Gap(lastBefore, lastPublicBefore));
  }

  boolean isGap() {
    return gap != null;
  }

  /**
   * The newest events fanned out before a gap, any and public: every event before the marker went
   * through its loop's queue first, so a fully live subscriber has been sent everything up to them.
   */
  record Gap(StoredEvent lastBefore, StoredEvent lastPublicBefore) {}
}
