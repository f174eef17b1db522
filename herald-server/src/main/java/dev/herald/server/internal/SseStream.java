package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.protocol.EventEncoder;
import dev.herald.server.EventLog;
import dev.herald.server.Replay;
import dev.herald.server.ReplayRequest;
import dev.herald.server.StoredEvent;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One open event stream, whatever carries it: keeps the stream's order, limits and lifecycle
 * ({@link StreamState}) and writes through its {@link Transport}. All methods run on the event loop
 * of its {@link LoopFanout}.
 *
 * <p>Order and exactly-once: {@code lastPosition} is the log position of the newest event written;
 * anything at or below it is skipped, which both removes an event published to several followed
 * topics and stitches a replay to the live events held while it ran.
 */
final class SseStream {
  final StreamRequest request; // without its headers: they were for accepting the stream

  final Subscription subscription; // null for a per-request stream
  final LoopFanout fanout;
  private final Transport transport;

  private StreamState state = StreamState.OPENING;
  private long lastPosition = Long.MIN_VALUE;
  private List<Pending> held; // live events held while the history is read and written
  private long heldBytes;
  // The replay, one page at a time: the next page is requested once the last one was written.
  private Replays replays;
  private String requestedId;
  private byte[] retryFrame;
  private ReplayRequest nextPage; // null once the log said the last page was the end
  private List<StoredEvent> page; // the page being written, or null
  private int pageIndex;
  private boolean pageFlushing; // its last frame is written: waiting for the socket to take it
  private long budgetHeld; // bytes of the broker's replay budget this stream holds
  private String cutAsked; // the history-cut event, written before the first replayed event

  int slot = -1; // its index in its LoopFanout's registry while registered (loop thread only)
  boolean wroteSinceHeartbeat;
  boolean dirty;
  private List<Runnable> closeCallbacks; // made for the first: most streams have none

  SseStream(StreamRequest request, Subscription subscription, Transport transport, LoopFanout fanout) {
    // Headers are often most of a request's bytes, and an idle stream lives for hours.
    this.request = request.withoutHeaders();
    this.subscription = subscription;
    this.transport = transport;
    this.fanout = fanout;
  }

  StreamState state() {
    return state;
  }

  private void moveTo(StreamState next) {
    if (!state.canMoveTo(next)) throw new IllegalStateException("stream cannot go from " + state + " to " + next);
    state = next;
  }

  /** Starts the response and goes live at once: no history to read. */
  void startLive(byte[] retryFrame) {
    transport.start(null);
    moveTo(StreamState.LIVE);
    writeControl(retryFrame);
    transport.flush();
  }

  /** Holds live events until {@link #readHistory} has written the history. */
  void awaitHistory() {
    moveTo(StreamState.AWAITING_HISTORY);
    held = new ArrayList<>();
  }

  /**
   * Reads the history after {@code lastEventId}, a page at a time within the broker's replay
   * budget; the response starts with the first page, so that its head can say whether the
   * history was cut.
   */
  void readHistory(Replays replays, String lastEventId, byte[] retryFrame) {
    this.replays = replays;
    this.requestedId = lastEventId;
    this.retryFrame = retryFrame;
    nextPage = replays.firstPage(lastEventId, subscription);
    readPage();
  }

  private void readPage() {
    ReplayRequest request = nextPage;
    long reserve = request.maxBytes();
    replays.budget().acquire(reserve, fanout.loop, () -> {
      budgetHeld += reserve;
      if (state.finished()) {
        releaseBudget();
        return;
      }
      CompletionStage<Replay> read;
      try {
        read = replays.log().readPage(request);
      } catch (RuntimeException e) {
        read = CompletableFuture.failedFuture(e); // the reservation goes back through pageRead all the same
      }
      // The log answers on its own thread: back to the stream's loop, like every write to it.
      read.whenComplete((page, error) -> fanout.loop.execute(() -> pageRead(page, error)));
    });
  }

  /**
   * The log answered with a page: the first starts the response (or, if it failed, answers 503);
   * each is written as the transport takes it. Nothing if the stream ended or closed meanwhile.
   */
  private void pageRead(Replay result, Throwable error) {
    if (state.finished()) {
      releaseBudget();
      return;
    }
    if (error != null) {
      releaseBudget();
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      LoopFanout.LOG.warn("history read failed for Last-Event-ID {}: {}", requestedId, cause.toString());
      if (state == StreamState.REPLAYING) {
        // Part of the history is out: end, and the client resumes from the last id it got.
        end(null);
        return;
      }
      // Nothing was sent yet: say so with a status (clients retry on their own schedule).
      moveTo(StreamState.ENDED);
      releaseHeld();
      transport.historyUnavailable("the event history cannot be read now: " + cause.getMessage());
      return;
    }
    long bytes = result.bytes();
    if (bytes > budgetHeld) {
      replays.budget().grow(bytes - budgetHeld);
    } else {
      replays.budget().release(budgetHeld - bytes);
    }
    budgetHeld = bytes;
    if (state == StreamState.AWAITING_HISTORY) start(result);
    List<StoredEvent> events = result.events();
    nextPage = result.more() && !events.isEmpty() ? nextPage.next(events.get(events.size() - 1).position()) : null;
    List<StoredEvent> matching = new ArrayList<>(events.size());
    for (StoredEvent e : events) {
      if (subscription.matches(e)) matching.add(e);
    }
    page = matching;
    pageIndex = 0;
    continueReplay();
  }

  /** The first page: the response head, the retry hint, and the history cut if there was one. */
  private void start(Replay first) {
    // Mercure's answer to a resume (the Last-Event-ID response header): the id of the event before
    // the first one this stream sends, or earliest when the history no longer holds it.
    transport.start(first.historyCut() || EventLog.EARLIEST.equals(requestedId) ? EventLog.EARLIEST : requestedId);
    moveTo(StreamState.REPLAYING);
    writeControl(retryFrame);
    // The client has everything up to the id it resumed from: live events held meanwhile at or
    // before it (a cluster node behind the one that gave the client that id) are not sent again.
    lastPosition = Math.max(lastPosition, first.afterPosition());
    // Written with the first event this subscriber gets, so that "earliest" names an event it may
    // see, whatever the log holds of other topics and other subscribers' private updates.
    if (first.historyCut()) cutAsked = requestedId;
  }

  /** A live event for this subscriber; {@code p.chunk} stays owned by the caller. */
  void deliverLive(Pending p) {
    long position = p.event().position();
    if (state.finished() || position <= lastPosition) return;
    if (p.event().privateUpdate() && !subscription.matches(p.event())) return;
    if (state.holdsLiveEvents()) {
      if (!held.isEmpty() && position <= held.get(held.size() - 1).event().position()) return;
      held.add(new Pending(p.event(), p.chunk().retain(), p.payloadOffset()));
      heldBytes += p.chunk().readableBytes();
      if (heldBytes > transport.outboundLimitBytes()) cut(heldBytes);
      return;
    }
    if (!transport.isWritable()) {
      // A closed connection is not writable either: that peer is gone, not slow.
      if (transport.isOpen()) cut(transport.pendingBytes());
      return;
    }
    transport.write(p);
    wrote();
    fanout.countDelivery();
    lastPosition = position;
  }

  /** The transport takes more again: a replay held back goes on. */
  void onWritable() {
    if (state == StreamState.REPLAYING && page != null && !pageFlushing) continueReplay();
  }

  private void continueReplay() {
    // Write only while the transport accepts more, so a page never piles up in the outbound buffer.
    List<StoredEvent> events = page;
    while (pageIndex < events.size() && transport.isWritable()) {
      StoredEvent e = events.get(pageIndex++);
      boolean last = pageIndex == events.size();
      // Positions only grow within a page, and nothing else is written while it is: once one event
      // is new, so are all after it, so a skipped last event means nothing of the page was written.
      if (e.position() <= lastPosition) {
        if (last) pageWritten();
        continue;
      }
      writeHistoryCut(e.id());
      CompletableFuture<Void> written = last ? new CompletableFuture<>() : null;
      transport.write(e.frame(), written);
      wrote();
      fanout.countDelivery();
      lastPosition = e.position();
      if (written != null) {
        // The page's bytes are in memory until its last frame left (or the connection failed).
        pageFlushing = true;
        transport.flush();
        written.whenComplete((v, error) -> pageWritten());
        return;
      }
    }
    if (events.isEmpty()) {
      pageWritten();
    } else if (pageIndex < events.size()) {
      transport.flush();
    }
  }

  /** The page left: its budget goes back, then the next page, or the held events and live. */
  private void pageWritten() {
    page = null;
    pageFlushing = false;
    releaseBudget();
    if (state != StreamState.REPLAYING) return;
    if (nextPage != null) {
      readPage();
      return;
    }
    writeHistoryCut("");
    moveTo(StreamState.LIVE);
    for (Pending p : held) {
      if (p.event().position() > lastPosition) {
        transport.write(p);
        wrote();
        fanout.countDelivery();
        lastPosition = p.event().position();
      }
      p.chunk().release();
    }
    held = null;
    heldBytes = 0;
    transport.flush();
  }

  private void writeHistoryCut(String earliest) {
    if (cutAsked == null) return;
    writeControl(EventEncoder.encode(Event.named(HISTORY_CUT_EVENT,
        "{\"lastEventId\":" + Json.quote(cutAsked) + ",\"earliest\":" + Json.quote(earliest) + "}")));
    cutAsked = null;
  }

  private void releaseBudget() {
    if (budgetHeld == 0) return;
    replays.budget().release(budgetHeld);
    budgetHeld = 0;
  }

  /**
   * The stream finished: a page not yet handed to the transport will not be, so its budget goes
   * back now. One whose last frame is still queued gives it back when the write completes or fails.
   */
  private void dropReplay() {
    if (page != null && !pageFlushing) {
      page = null;
      releaseBudget();
    }
  }

  /** Sends one event of a per-request stream; {@code written} completes when it is on its way. */
  void send(Event event, CompletableFuture<Void> written) {
    if (state != StreamState.LIVE) {
      written.completeExceptionally(new ClosedChannelException());
      return;
    }
    if (!transport.isWritable()) {
      if (!transport.isOpen()) {
        written.completeExceptionally(new ClosedChannelException());
        return;
      }
      long pending = transport.pendingBytes();
      written.completeExceptionally(new IllegalStateException("client too slow: " + pending + " bytes pending"));
      cut(pending);
      return;
    }
    transport.write(EventEncoder.encode(event), written);
    wrote();
  }

  void writeHeartbeat() {
    if (!state.started()) return;
    transport.writeHeartbeat();
    wrote();
  }

  void flush() {
    transport.flush();
  }

  /**
   * Ends the stream: the transport's clean end, or its close before the response started. Once: a
   * second call, and every write after it, does nothing, so no event, replay or heartbeat follows
   * the end while it waits behind a full socket.
   */
  void end(Event farewell) {
    if (state.finished()) return;
    boolean started = state.started();
    if (started && farewell != null) {
      if (!transport.isWritable()) {
        if (transport.isOpen()) cut(transport.pendingBytes());
        return;
      }
      writeControl(EventEncoder.encode(farewell));
    }
    moveTo(StreamState.ENDED);
    // What was held or is left to replay will never be written: free it now, not at the close.
    releaseHeld();
    dropReplay();
    if (started) {
      transport.end();
    } else {
      transport.close();
    }
  }

  /**
   * The log skipped events ({@link Pending#gap}): ends the stream. A live stream is first told, in
   * an id-only frame (it sets the client's last event id without firing an event), the id of the
   * newest event before the gap it may know, unless that is the last one it wrote: a client that
   * got no event yet would otherwise come back without an id and lose the skipped events for good.
   * Every event before the marker went through this loop first, so the stream has been sent all it
   * follows up to that id. A stream still awaiting or writing its history has not: it just ends,
   * and comes back with the id it has.
   */
  void endForGap(Pending.Gap gap) {
    if (state == StreamState.LIVE) {
      StoredEvent resume = resumeFrom(gap);
      if (resume != null && resume.position() > lastPosition) {
        // Past the writability check: the end is written regardless, and this is its part.
        writeControl(EventEncoder.encode(Event.builder().id(resume.id()).build()));
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

  /** Cuts a slow consumer: closes the transport without an end. */
  private void cut(long pendingBytes) {
    if (state.finished()) return;
    moveTo(StreamState.CUT);
    releaseHeld();
    dropReplay();
    fanout.slowConsumerClosed(this, pendingBytes);
    transport.close();
  }

  /** The transport closed: release what is held and tell the observers. */
  void closed() {
    if (state == StreamState.CLOSED) return;
    moveTo(StreamState.CLOSED);
    releaseHeld();
    dropReplay();
    if (closeCallbacks == null) return;
    for (Runnable r : closeCallbacks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LoopFanout.LOG.warn("close callback failed", e);
      }
    }
  }

  void onClose(Runnable callback) {
    if (state == StreamState.CLOSED) {
      callback.run();
    } else {
      if (closeCallbacks == null) closeCallbacks = new ArrayList<>(1);
      closeCallbacks.add(callback);
    }
  }

  boolean isClosed() {
    return state == StreamState.CLOSED;
  }

  /** Any thread: whether the stream may still be written to. */
  boolean isOpen() {
    return transport.isOpen() && state != StreamState.CLOSED;
  }

  private void writeControl(byte[] frame) {
    transport.write(frame, null);
    wrote();
  }

  private void wrote() {
    wroteSinceHeartbeat = true;
    fanout.markDirty(this);
  }

  private void releaseHeld() {
    if (held != null) {
      for (Pending p : held) p.chunk().release();
      held = null;
      heldBytes = 0;
    }
  }

  /** The name of the event telling a resuming client that events after its id may be missing. */
  static final String HISTORY_CUT_EVENT = "history-cut";
}
