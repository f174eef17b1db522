package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import dev.herald.server.Replay;
import dev.herald.server.StoredEvent;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * One open event stream: writes frames to its channel and keeps the stream's order and limits. All
 * methods run on the channel's event loop.
 *
 * <p>Order and exactly-once: {@code lastPosition} is the log position of the newest event written;
 * anything at or below it is skipped, which both removes an event published to several followed
 * topics and stitches a replay to the live events held while it ran.
 */
final class SseConnection {
  final Channel channel;
  final StreamRequest request;
  final Subscription subscription; // null for a per-request stream
  final LoopFanout fanout;
  private final boolean h2;
  private final int outboundLimitBytes;

  private long lastPosition = Long.MIN_VALUE;
  private boolean replaying;
  private List<Pending> held;
  private long heldBytes;
  private List<StoredEvent> replay;
  private int replayIndex;

  private boolean started; // the response head is written: frames may follow
  boolean wroteSinceHeartbeat;
  boolean dirty;
  private boolean closed;
  private boolean closing; // closed for being slow; the channel's close is on its way
  private final List<Runnable> closeCallbacks = new ArrayList<>(1);

  SseConnection(Channel channel, boolean h2, StreamRequest request, Subscription subscription,
      LoopFanout fanout, int outboundLimitBytes) {
    this.channel = channel;
    this.h2 = h2;
    this.request = request;
    this.subscription = subscription;
    this.fanout = fanout;
    this.outboundLimitBytes = outboundLimitBytes;
  }

  /** Holds live events until {@link #replay} has written the history. */
  void beginReplay() {
    replaying = true;
    held = new ArrayList<>();
  }

  /** A live event for this subscriber; {@code p.chunk} stays owned by the caller. */
  void deliverLive(Pending p) {
    long position = p.event().position();
    if (closed || closing || position <= lastPosition) return;
    if (p.event().privateUpdate() && !subscription.matches(p.event())) return;
    if (replaying) {
      if (!held.isEmpty() && position <= held.get(held.size() - 1).event().position()) return;
      held.add(new Pending(p.event(), p.chunk().retain(), p.payloadOffset()));
      heldBytes += p.chunk().readableBytes();
      if (heldBytes > outboundLimitBytes) closeSlow(heldBytes);
      return;
    }
    if (!channel.isWritable()) {
      // A closed channel is not writable either: that peer is gone, not slow.
      if (channel.isActive()) closeSlow(pendingBytes());
      return;
    }
    writeChunk(p.chunk().retainedDuplicate(), p.payloadOffset(), channel.voidPromise());
    fanout.countDelivery();
    lastPosition = position;
  }

  /** Writes the replay, then the events held meanwhile; resumes from {@link #onWritable}. */
  void replay(Replay result, String requestedId) {
    if (closed) return;
    if (result.historyCut()) {
      writeEvent(historyCut(requestedId, result), channel.voidPromise());
    }
    List<StoredEvent> matching = new ArrayList<>(result.events().size());
    for (StoredEvent e : result.events()) {
      if (subscription.matches(e)) matching.add(e);
    }
    replay = matching;
    replayIndex = 0;
    continueReplay();
  }

  void onWritable() {
    if (replay != null) continueReplay();
  }

  private void continueReplay() {
    // Write only while the channel accepts more, so a long history never piles up in memory.
    while (replayIndex < replay.size() && channel.isWritable() && !closed) {
      StoredEvent e = replay.get(replayIndex++);
      if (e.position() <= lastPosition) continue;
      ByteBuf chunk = Frames.chunk(channel.alloc(), e.frame());
      writeChunk(chunk, Frames.payloadOffset(chunk), channel.voidPromise());
      fanout.countDelivery();
      lastPosition = e.position();
    }
    if (replayIndex < replay.size() || closed) {
      channel.flush();
      return;
    }
    replay = null;
    replaying = false;
    for (Pending p : held) {
      if (p.event().position() > lastPosition) {
        writeChunk(p.chunk(), p.payloadOffset(), channel.voidPromise());
        fanout.countDelivery();
        lastPosition = p.event().position();
      } else {
        p.chunk().release();
      }
    }
    held = null;
    heldBytes = 0;
    channel.flush();
  }

  /** Writes one event of a per-request stream; the promise completes when it is written. */
  void writeEvent(Event event, ChannelPromise promise) {
    if (closed) {
      promise.tryFailure(new java.nio.channels.ClosedChannelException());
      return;
    }
    if (!channel.isWritable()) {
      if (!channel.isActive()) {
        promise.tryFailure(new java.nio.channels.ClosedChannelException());
        return;
      }
      promise.tryFailure(new IllegalStateException("client too slow: " + pendingBytes() + " bytes pending"));
      closeSlow(pendingBytes());
      return;
    }
    ByteBuf chunk = Frames.chunk(channel.alloc(), EventEncoder.encode(event));
    writeChunk(chunk, Frames.payloadOffset(chunk), promise);
  }

  void started() {
    started = true;
  }

  void writeHeartbeat() {
    if (!started) return;
    writeChunk(Frames.HEARTBEAT.duplicate(), 3, channel.voidPromise());
  }

  /** Ends the stream: HTTP/1.1's last chunk or HTTP/2's END_STREAM, then close. */
  void end(Event farewell) {
    if (closed) return;
    if (!started) {
      channel.close();
      return;
    }
    if (farewell != null) writeEvent(farewell, channel.voidPromise());
    if (h2) {
      channel.write(new DefaultHttp2DataFrame(true));
    } else {
      channel.write(Frames.LAST_CHUNK.duplicate());
    }
    channel.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
  }

  private void writeChunk(ByteBuf chunk, int payloadOffset, ChannelPromise promise) {
    if (h2) {
      // Same bytes, minus the HTTP/1.1 chunk framing: a duplicate has its own indexes.
      chunk.setIndex(chunk.readerIndex() + payloadOffset, chunk.writerIndex() - 2);
      channel.write(new DefaultHttp2DataFrame(chunk), promise);
    } else {
      channel.write(chunk, promise);
    }
    wroteSinceHeartbeat = true;
    fanout.markDirty(this);
  }

  private long pendingBytes() {
    // Bytes written but not yet accepted by the socket (or the HTTP/2 stream's window).
    io.netty.channel.ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out != null ? out.totalPendingWriteBytes() : outboundLimitBytes + channel.bytesBeforeWritable();
  }

  private void closeSlow(long pending) {
    if (closed || closing) return;
    closing = true;
    fanout.slowConsumerClosed(this, pending);
    channel.close();
  }

  void onClose(Runnable callback) {
    if (closed) {
      callback.run();
    } else {
      closeCallbacks.add(callback);
    }
  }

  /** The channel closed: release what is held and tell the observers. */
  void closed() {
    if (closed) return;
    closed = true;
    if (held != null) {
      for (Pending p : held) p.chunk().release();
      held = null;
    }
    replay = null;
    for (Runnable r : closeCallbacks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LoopFanout.LOG.warn("close callback failed", e);
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  private static Event historyCut(String requestedId, Replay result) {
    String earliest = result.events().isEmpty() ? "" : result.events().get(0).id();
    return Event.named(HISTORY_CUT_EVENT,
        "{\"lastEventId\":" + Json.quote(requestedId) + ",\"earliest\":" + Json.quote(earliest) + "}");
  }

  /** The name of the event telling a resuming client that events after its id may be missing. */
  static final String HISTORY_CUT_EVENT = "history-cut";
}
