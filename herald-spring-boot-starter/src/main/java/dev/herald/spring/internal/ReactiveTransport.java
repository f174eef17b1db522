package dev.herald.spring.internal;

import dev.herald.server.StreamHandle;
import dev.herald.server.StreamTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A Herald topic stream on a reactive response (Reactor Netty under WebFlux): frames written by
 * the broker's loop collect into a batch, and each flush hands the batch to the server as one
 * inner publisher of {@link ServerHttpResponse#writeAndFlushWith}, so the server writes it and
 * flushes once. Frames are wrapped, never copied ({@link DataBufferFactory#wrap(ByteBuffer)}).
 *
 * <p>Back-pressure: the bytes handed to the sink and not yet taken by the server are the stream's
 * pending bytes; the server takes more only as its connection drains, so a client that does not
 * read stops being writable, and Herald cuts it as a slow consumer.
 */
public final class ReactiveTransport implements StreamTransport {
  private final ServerHttpResponse response;
  private final DataBufferFactory buffers;
  private final long outboundLimitBytes;
  private final Map<String, String> headers;
  private final Sinks.Many<Publisher<DataBuffer>> batches = Sinks.many().unicast().onBackpressureBuffer();
  private final AtomicLong pending = new AtomicLong();
  private List<DataBuffer> batch = new ArrayList<>(); // broker loop only
  private volatile StreamHandle handle;
  private volatile boolean waitingForRoom;
  private volatile boolean gone; // the server cancelled or completed the body: the client is gone

  public ReactiveTransport(ServerHttpResponse response, long outboundLimitBytes, Map<String, String> headers) {
    this.response = response;
    this.buffers = response.bufferFactory();
    this.outboundLimitBytes = outboundLimitBytes;
    this.headers = Map.copyOf(headers);
  }

  /**
   * The body the response writes, once the broker opened the stream; its end (the client gone, or
   * the response complete) is reported to {@code streamHandle}.
   */
  public Publisher<Publisher<DataBuffer>> body(StreamHandle streamHandle) {
    this.handle = streamHandle;
    return batches.asFlux().doFinally(signal -> {
      gone = true;
      streamHandle.closed();
    });
  }

  @Override
  public void start(String lastEventId) {
    response.setStatusCode(HttpStatus.OK);
    response.getHeaders().setContentType(new MediaType("text", "event-stream", StandardCharsets.UTF_8));
    response.getHeaders().setCacheControl("no-store");
    response.getHeaders().set("X-Accel-Buffering", "no");
    // Header values go out one char per byte: the id's UTF-8 bytes, as Herald's own server sends them.
    if (lastEventId != null) response.getHeaders().set("Last-Event-ID",
        new String(lastEventId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    headers.forEach(response.getHeaders()::set);
  }

  @Override
  public void historyUnavailable(String message) {
    response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
    response.getHeaders().setContentType(new MediaType("text", "plain", StandardCharsets.UTF_8));
    response.getHeaders().set("Retry-After", "1");
    headers.forEach(response.getHeaders()::set);
    write(ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8)));
    end();
  }

  @Override
  public void write(ByteBuffer frame) {
    if (gone) return; // dropped until the handle's closed() reaches the stream
    pending.addAndGet(frame.remaining());
    batch.add(buffers.wrap(frame));
  }

  @Override
  public void flush() {
    if (batch.isEmpty()) return;
    List<DataBuffer> out = batch;
    batch = new ArrayList<>();
    batches.tryEmitNext(Flux.fromIterable(out).doOnNext(this::taken));
  }

  private void taken(DataBuffer buffer) {
    long left = pending.addAndGet(-buffer.readableByteCount());
    // A replay held back for room goes on once the client caught up by half the limit.
    if (waitingForRoom && left < outboundLimitBytes / 2) {
      waitingForRoom = false;
      StreamHandle h = handle;
      if (h != null) h.writable();
    }
  }

  @Override
  public boolean isWritable() {
    if (gone) return true; // a peer that left is not a slow one
    boolean writable = pending.get() < outboundLimitBytes;
    if (!writable) waitingForRoom = true;
    return writable;
  }

  @Override
  public long pendingBytes() {
    return pending.get();
  }

  @Override
  public long outboundLimitBytes() {
    return outboundLimitBytes;
  }

  @Override
  public void end() {
    flush();
    batches.tryEmitComplete();
  }

  @Override
  public void close() {
    batch = new ArrayList<>();
    batches.tryEmitError(new IOException("stream closed by Herald (a slow consumer, or a stream that never started)"));
  }

  @Override
  public String toString() {
    return "reactive stream " + response;
  }
}
