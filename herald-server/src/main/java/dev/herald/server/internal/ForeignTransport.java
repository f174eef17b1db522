package dev.herald.server.internal;

import dev.herald.server.StreamTransport;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;

/**
 * A public {@link StreamTransport} under an {@link SseStream}: frames go out as read-only views of
 * the bytes every subscriber shares ({@code StoredEvent.frame()}), never copied per subscriber.
 * A transport that throws is closed, so that one bad connection cannot stop a loop's fan-out.
 */
final class ForeignTransport implements Transport {
  private static final byte[] HEARTBEAT = {':', '\n'};

  private final StreamTransport transport;
  private boolean failed;

  ForeignTransport(StreamTransport transport) {
    this.transport = transport;
  }

  @Override
  public void start(String lastEventId) {
    try {
      transport.start(lastEventId);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void historyUnavailable(String message) {
    try {
      transport.historyUnavailable(message);
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void write(Pending live) {
    write(live.event().frame(), null);
  }

  @Override
  public void write(byte[] frame, CompletableFuture<Void> written) {
    if (failed) {
      // A replay waits for this to give its page's budget back.
      if (written != null) written.completeExceptionally(new ClosedChannelException());
      return;
    }
    try {
      transport.write(ByteBuffer.wrap(frame).asReadOnlyBuffer());
      if (written != null) written.complete(null);
    } catch (RuntimeException e) {
      if (written != null) written.completeExceptionally(e);
      fail(e);
    }
  }

  @Override
  public void writeHeartbeat() {
    write(HEARTBEAT, null);
  }

  @Override
  public void flush() {
    if (failed) return;
    try {
      transport.flush();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public boolean isWritable() {
    return !failed && transport.isWritable();
  }

  @Override
  public boolean isOpen() {
    // The transport reports its close through the handle; a failed one is gone, not slow.
    return !failed;
  }

  @Override
  public long pendingBytes() {
    return transport.pendingBytes();
  }

  @Override
  public long outboundLimitBytes() {
    return transport.outboundLimitBytes();
  }

  @Override
  public void end() {
    if (failed) return;
    try {
      transport.end();
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void close() {
    if (failed) return;
    try {
      transport.close();
    } catch (RuntimeException e) {
      LoopFanout.LOG.warn("closing a stream transport failed", e);
    }
  }

  private void fail(RuntimeException e) {
    LoopFanout.LOG.warn("stream transport {} failed: closing it", transport, e);
    close();
    failed = true;
  }
}
