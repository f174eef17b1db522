package dev.herald.server.internal;

import dev.herald.server.StoredEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** An event on its way to one event loop's subscribers, with that loop's reference to the chunk. */
record Pending(StoredEvent event, ByteBuf chunk, int payloadOffset) {
  /** Not an event: the log skipped events here, so topic subscribers must start over (see EventLog#onTailGap). */
  static final Pending GAP = new Pending(null, Unpooled.EMPTY_BUFFER, 0);
}
