package dev.herald.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.Locale;

/**
 * One subscriber connection: sends the stream request, then parses the chunked HTTP/1.1 body and
 * the {@code id:} and {@code data:} lines inside it, byte by byte, with no per-event allocation.
 * Every event goes to {@link Tally#delivered}; this class keeps what the checks need per
 * subscriber: the ids seen, the highest id, duplicates and late arrivals.
 *
 * <p>Runs on the load generator's single event loop, like everything it touches.
 */
@ChannelHandler.Sharable // one connection at a time; a reconnection adds it to the next
final class Subscriber extends ChannelInboundHandlerAdapter {
  private static final int STATUS = 0, HEADERS = 1, SIZE = 2, DATA = 3, DATA_END = 4, ENDED = 5, RAW = 6;
  /** Bytes of a line kept: enough for {@code data: <nanoTime>}; the padding after it is skipped. */
  private static final int LINE_KEEP = 100;

  private final Tally tally;
  private final ByteBuf request;
  /** Which subscribe target (cluster node) this subscriber connects to, for the per-node latency. */
  int target;
  /** Set for a reconnection: the request with {@code Last-Event-ID}, sent instead of {@link #request}. */
  ByteBuf resumeRequest;
  /** The closing of this subscriber's connection is a planned reconnection, not a failure. */
  boolean reconnecting;
  /** The value of the last {@code id:} line (any hub), for {@code Last-Event-ID}. */
  final byte[] lastId = new byte[LINE_KEEP];
  int lastIdLength;
  boolean caughtUp;
  /**
   * Any hub ({@code herald bench}): the event's position is the first number of its data
   * ({@code <seq> <nanoTime> xxx}), not its id; ready once the response headers arrived; the body
   * may be chunked or not.
   */
  private final boolean seqInData;
  private boolean chunked;

  private int state = STATUS;
  private final byte[] line = new byte[LINE_KEEP];
  private int lineLength; // bytes of the current line, kept or not
  private long chunkLeft;
  private int chunkEndBytes;
  private long eventId = -1;
  private long sendNanos;
  private boolean hasData;
  boolean ready;

  // The checks: ids are positions base, base+1, ... of this run.
  final BitSet seen = new BitSet();
  long distinct;
  long highest = -1;
  long duplicates;
  long outOfOrder;
  long unexpected;

  Subscriber(Tally tally, ByteBuf request) {
    this(tally, request, false);
  }

  Subscriber(Tally tally, ByteBuf request, boolean seqInData) {
    this.tally = tally;
    this.request = request;
    this.seqInData = seqInData;
  }

  private Channel channel;

  Channel channelOrNull() {
    return channel;
  }

  void close() {
    if (channel != null) channel.close();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    channel = ctx.channel();
    if (resumeRequest != null) {
      // A new connection for this subscriber: the parser starts over, the checks carry on.
      state = STATUS;
      lineLength = 0;
      chunked = false;
      eventId = -1;
      hasData = false;
      reconnecting = false;
      ctx.writeAndFlush(resumeRequest, ctx.voidPromise());
      resumeRequest = null;
    } else {
      ctx.writeAndFlush(request.retainedDuplicate(), ctx.voidPromise());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      long now = System.nanoTime();
      int i = in.readerIndex();
      int end = in.writerIndex();
      while (i < end) {
        byte b = in.getByte(i++);
        switch (state) {
          case STATUS:
          case HEADERS:
            headerByte(ctx, b);
            break;
          case SIZE:
            sizeByte(b);
            break;
          case DATA:
            bodyByte(b, now);
            if (--chunkLeft == 0) {
              state = DATA_END;
              chunkEndBytes = 0;
            }
            break;
          case DATA_END: // the CRLF after a chunk's data
            if (++chunkEndBytes == 2) state = SIZE;
            break;
          case RAW: // a body without chunked framing: it runs until the connection closes
            bodyByte(b, now);
            break;
          default:
            return;
        }
      }
    } finally {
      in.release();
    }
  }

  private void headerByte(ChannelHandlerContext ctx, byte b) {
    if (b != '\n') {
      if (b != '\r') keep(b);
      return;
    }
    if (state == STATUS) {
      if (!startsWith("HTTP/1.1 200")) {
        tally.failed("bad status: " + new String(line, 0, Math.min(lineLength, LINE_KEEP)));
        ctx.close();
        state = ENDED;
        return;
      }
      state = HEADERS;
      chunked = !seqInData; // the bench server always chunks
    } else if (lineLength == 0) {
      state = chunked ? SIZE : RAW;
      chunkLeft = 0;
      if (seqInData && !ready) {
        ready = true;
        tally.ready(this);
      }
    } else if (seqInData && isChunkedHeader()) {
      chunked = true;
    }
    lineLength = 0;
  }

  private void sizeByte(byte b) {
    if (b == '\n') {
      if (chunkLeft == 0) {
        state = ENDED; // the last chunk: the server ended the stream
        tally.ended(this);
      } else {
        state = DATA;
      }
      lineLength = 0;
    } else if (b != '\r' && lineLength == 0) {
      int digit = Character.digit(b, 16);
      if (digit < 0) {
        lineLength = 1; // a chunk extension: ignore the rest of the line
      } else {
        chunkLeft = chunkLeft * 16 + digit;
      }
    }
  }

  private void bodyByte(byte b, long now) {
    if (b != '\n') {
      if (b != '\r') keep(b);
      return;
    }
    if (lineLength == 0) {
      dispatch(now);
    } else if (seqInData && startsWith("id:")) {
      int from = lineLength > 3 && line[3] == ' ' ? 4 : 3;
      lastIdLength = Math.max(0, Math.min(lineLength, LINE_KEEP) - from);
      System.arraycopy(line, from, lastId, 0, lastIdLength);
    } else if (!seqInData && startsWith("id:")) {
      eventId = number(3);
    } else if (startsWith("data:")) {
      if (seqInData) {
        eventId = number(5);
        int next = afterNumber(5);
        sendNanos = next < 0 ? -1 : number(next);
      } else {
        sendNanos = number(5);
      }
      hasData = true;
    }
    lineLength = 0;
  }

  private void dispatch(long now) {
    if (!ready) {
      ready = true; // the retry: frame that opens every stream
      tally.ready(this);
    }
    if (hasData && eventId >= 0) tally.delivered(this, eventId, sendNanos, now);
    eventId = -1;
    hasData = false;
  }

  private boolean isChunkedHeader() {
    String h = new String(line, 0, Math.min(lineLength, LINE_KEEP), StandardCharsets.US_ASCII)
        .toLowerCase(Locale.ROOT);
    return h.startsWith("transfer-encoding:") && h.contains("chunked");
  }

  /** The index just past the number that starts at {@code from} (after one optional space), or -1. */
  private int afterNumber(int from) {
    int i = from;
    int n = Math.min(lineLength, LINE_KEEP);
    if (i < n && line[i] == ' ') i++;
    int start = i;
    while (i < n && line[i] >= '0' && line[i] <= '9') i++;
    return i == start || i >= n ? -1 : i;
  }

  private void keep(byte b) {
    if (lineLength < LINE_KEEP) line[lineLength] = b;
    lineLength++;
  }

  private boolean startsWith(String prefix) {
    if (lineLength < prefix.length()) return false;
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) return false;
    }
    return true;
  }

  /** The decimal number after the field name and one optional space, or -1. */
  private long number(int from) {
    int i = from;
    int n = Math.min(lineLength, LINE_KEEP);
    if (i < n && line[i] == ' ') i++;
    boolean negative = i < n && line[i] == '-';
    if (negative) i++;
    long v = 0;
    int digits = 0;
    for (; i < n && line[i] >= '0' && line[i] <= '9'; i++, digits++) v = v * 10 + (line[i] - '0');
    if (digits == 0) return -1;
    return negative ? -v : v;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    tally.closed(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    tally.failed("subscriber: " + cause);
    ctx.close();
  }
}
