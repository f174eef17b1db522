package dev.herald.server.internal;

import dev.herald.server.StoredEvent;
import io.netty.buffer.ByteBuf;

/** An event on its way to one event loop's subscribers, with that loop's reference to the chunk. */
record Pending(StoredEvent event, ByteBuf chunk, int payloadOffset) {}
