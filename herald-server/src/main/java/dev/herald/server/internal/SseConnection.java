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
 *
 * <p>Ending is final: once {@link #end} ran, nothing more is written, though the channel stays open
 * until the end went out (behind a full socket, that can take a while).
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
  private boolean ended; // the stream's end is written (or the channel closes): nothing may follow
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
    if (closed || closing || ended || position <= lastPosition) return;
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
    if (closed || ended) return;
    // The client has everything up to the id it resumed from: live events held meanwhile at or
    // before it (a cluster node behind the one that gave the client that id) are not sent again.
    lastPosition = Math.max(lastPosition, result.afterPosition());
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
    if (closed || ended) {
      // A void promise would fire exceptionCaught, which closes the channel: an ended stream's
      // end may still be on its way out.
      if (!promise.isVoid()) promise.tryFailure(new java.nio.channels.ClosedChannelException());
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
    if (!started || ended) return;
    writeChunk(Frames.HEARTBEAT.duplicate(), 3, channel.voidPromise());
  }

  /**
   * Ends the stream: HTTP/1.1's last chunk or HTTP/2's END_STREAM, then close. Once: a second call,
   * and every write after it, does nothing, so no event, replay or heartbeat follows the end (after
   * END_STREAM, on HTTP/2) while it waits behind a full socket.
   */
  void end(Event farewell) {
    if (closed || ended) return;
    if (started && farewell != null) writeEvent(farewell, channel.voidPromise());
    ended = true;
    // What was held or is left to replay will never be written: free it now, not at the close.
    releaseHeld();
    replay = null;
    if (!started || closing) {
      channel.close();
      return;
    }
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

  /**
   * The log skipped events ({@link Pending#gap(StoredEvent, StoredEvent)}): ends the stream. A fully
   * live stream is first told, in an id-only frame (it sets the client's last event id without firing
   * an event), the id of the newest event before the gap it may know, unless that is the last one it
   * wrote: a client that got no event yet would otherwise come back without an id and lose the
   * skipped events for good. Every event before the marker went through this loop first, so the
   * stream has been sent all it follows up to that id. A stream still replaying, or whose response
   * has not started, has not: it just ends, and comes back with the id it has.
   */
  void endForGap(Pending.Gap gap) {
    if (closed || ended) return;
    if (started && !replaying && !closing) {
      StoredEvent resume = resumeFrom(gap);
      if (resume != null && resume.position() > lastPosition) {
        Event idOnly = Event.builder().id(resume.id()).build(); // checked like every id: no CR, LF or NUL
        ByteBuf chunk = Frames.chunk(channel.alloc(), EventEncoder.encode(idOnly));
        // Past the writability check: the end is written regardless, and this is its part.
        writeChunk(chunk, Frames.payloadOffset(chunk), channel.voidPromise());
      }
    }
    end(null);
  }

  private StoredEvent resumeFrom(Pending.Gap gap) {
    StoredEvent last = gap.lastBefore();
    if (last != null && last.privateUpdate() && !subscription.matches(last)) {
      // A private update this subscriber does not receive: its id is not for it to know. The last
      // public event then: any after it is private, and those this subscriber receives were written
      // here, so their position is at or below lastPosition and the client's own id is the newer.
      return gap.lastPublicBefore();
    }
    return last;
  }

  /** The channel closed: release what is held and tell the observers. */
  void closed() {
    if (closed) return;
    closed = true;
    releaseHeld();
    replay = null;
    for (Runnable r : closeCallbacks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LoopFanout.LOG.warn("close callback failed", e);
      }
    }
  }

  private void releaseHeld() {
    if (held != null) {
      for (Pending p : held) p.chunk().release();
      held = null;
      heldBytes = 0;
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
