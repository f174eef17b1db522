package dev.herald.server.internal;

import dev.herald.server.StreamHandle;
import java.util.concurrent.RejectedExecutionException;

/** A stream's handle for its outside transport: each call hops onto the stream's event loop. */
final class RealStreamHandle implements StreamHandle {
  private final SseStream stream;
  private final RealBroker broker;

  RealStreamHandle(SseStream stream, RealBroker broker) {
    this.stream = stream;
    this.broker = broker;
  }

  @Override
  public void writable() {
    onLoop(stream::onWritable);
  }

  @Override
  public void closed() {
    onLoop(() -> broker.disconnected(stream, "closed"));
  }

  @Override
  public void end() {
    onLoop(() -> stream.end(null));
  }

  private void onLoop(Runnable task) {
    try {
      stream.fanout.loop.execute(task);
    } catch (RejectedExecutionException e) {
      // The broker closed, and its loops with it: every stream is gone already.
    }
  }
}
