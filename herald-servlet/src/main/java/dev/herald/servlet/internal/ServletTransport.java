package dev.herald.servlet.internal;

import dev.herald.server.StreamHandle;
import dev.herald.server.StreamTransport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A Herald topic stream on a servlet response: the broker's loop writes frames into a
 * {@link NonBlockingOutput}, which the container drains when the client takes them. No thread
 * waits for the client: a client that falls {@code outboundLimitBytes} behind stops being
 * writable, and the stream (Herald's side) cuts it as a slow consumer.
 *
 * <p>Built in the request's dispatch; {@link #attach} hands it the stream's handle once the broker
 * opened the stream, and installs the write listener. A client that hangs up before that is told
 * to the handle as soon as there is one.
 */
public final class ServletTransport implements StreamTransport, NonBlockingOutput.Listener {
  private final HttpServletResponse response; // touched only through the output's head()
  private final String description;
  private final NonBlockingOutput output;
  private final long outboundLimitBytes;
  private final Map<String, String> headers;
  private final Object lock = new Object();
  private StreamHandle handle; // guarded by lock
  private boolean closedBeforeAttach; // guarded by lock
  private volatile boolean waitingForRoom;

  /**
   * @param headers added to the response head (CORS, say); names as they go on the wire
   */
  public ServletTransport(AsyncContext async, HttpServletResponse response, long outboundLimitBytes,
      Map<String, String> headers) throws IOException {
    this.response = response;
    this.description = "servlet stream " + Integer.toHexString(System.identityHashCode(this));
    this.outboundLimitBytes = outboundLimitBytes;
    this.headers = Map.copyOf(headers);
    this.output = new NonBlockingOutput(async, response.getOutputStream(), this);
  }

  /** The stream is open: start writing (on the container's thread, in the request's dispatch). */
  public void attach(StreamHandle streamHandle) {
    boolean closed;
    synchronized (lock) {
      handle = streamHandle;
      closed = closedBeforeAttach;
    }
    if (closed) {
      streamHandle.closed();
      return;
    }
    output.start();
  }

  @Override
  public void start(String lastEventId) {
    // On the broker's thread: the head is set by the output's writer, once the container is ready
    // and as long as the request has not completed (after that the response is another's).
    output.head(() -> {
      response.setStatus(HttpServletResponse.SC_OK);
      response.setContentType("text/event-stream");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Cache-Control", "no-store");
      response.setHeader("X-Accel-Buffering", "no");
      // Header values go out one char per byte: the id's UTF-8 bytes, as Herald's own server sends them.
      if (lastEventId != null) response.setHeader("Last-Event-ID",
          new String(lastEventId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
      headers.forEach(response::setHeader);
    });
  }

  @Override
  public void historyUnavailable(String message) {
    output.head(() -> {
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setContentType("text/plain");
      response.setCharacterEncoding("UTF-8");
      response.setHeader("Retry-After", "1");
      headers.forEach(response::setHeader);
    });
    output.write(ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)));
    output.end();
  }

  @Override
  public void write(ByteBuffer frame) {
    output.write(frame);
  }

  @Override
  public void flush() {
    output.flush();
  }

  @Override
  public boolean isWritable() {
    boolean writable = output.queuedBytes() < outboundLimitBytes;
    if (!writable) waitingForRoom = true;
    return writable;
  }

  @Override
  public long pendingBytes() {
    return output.queuedBytes();
  }

  @Override
  public long outboundLimitBytes() {
    return outboundLimitBytes;
  }

  @Override
  public void end() {
    output.end();
  }

  @Override
  public void close() {
    output.abort();
  }

  @Override
  public void drained() {
    // A replay held back for room goes on; a live stream never waits (it is cut instead).
    if (!waitingForRoom) return;
    waitingForRoom = false;
    StreamHandle h;
    synchronized (lock) {
      h = handle;
    }
    if (h != null) h.writable();
  }

  @Override
  public void closed() {
    StreamHandle h;
    synchronized (lock) {
      h = handle;
      if (h == null) closedBeforeAttach = true;
    }
    if (h != null) h.closed();
  }

  @Override
  public String toString() {
    return description;
  }
}
