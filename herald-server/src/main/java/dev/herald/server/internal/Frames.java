package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * One encoded frame laid out for both transports at once: {@code <hex size>\r\n<frame>\r\n}. An
 * HTTP/1.1 connection writes the whole buffer (it is a complete chunk, so the HTTP codec is out of
 * the way); an HTTP/2 stream writes the middle as a DATA frame. One buffer per event, shared by
 * every subscriber through slices.
 */
final class Frames {
  static final byte[] CRLF = {'\r', '\n'};
  /** The heartbeat comment, {@code :\n}, as a chunk. */
  static final ByteBuf HEARTBEAT = constant(new byte[] {':', '\n'});
  /** The end of a chunked body. */
  static final ByteBuf LAST_CHUNK = Unpooled.unreleasableBuffer(
      Unpooled.directBuffer(5).writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII))).asReadOnly();

  private Frames() {}

  /** A chunk-framed direct buffer holding {@code frame}; the caller owns one reference. */
  static ByteBuf chunk(ByteBufAllocator alloc, byte[] frame) {
    return chunk(alloc, frame, 0, frame.length);
  }

  static ByteBuf chunk(ByteBufAllocator alloc, byte[] frame, int offset, int length) {
    byte[] header = chunkHeader(length);
    ByteBuf buf = alloc.directBuffer(header.length + length + 2);
    buf.writeBytes(header).writeBytes(frame, offset, length).writeBytes(CRLF);
    return buf;
  }

  /** Where the frame starts inside a chunk: after the size line. */
  static int payloadOffset(ByteBuf chunk) {
    int i = chunk.readerIndex();
    while (chunk.getByte(i) != '\n') i++;
    return i + 1 - chunk.readerIndex();
  }

  private static byte[] chunkHeader(int length) {
    return (Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  private static ByteBuf constant(byte[] frame) {
    return Unpooled.unreleasableBuffer(chunk(UnpooledByteBufAllocator.DEFAULT, frame)).asReadOnly();
  }
}
