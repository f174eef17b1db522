package dev.herald.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * The body of an event stream to an HTTP/1.0 client, which knows no chunked encoding: the body
 * simply runs until the connection closes. Frames are shared by every subscriber already laid out
 * as HTTP/1.1 chunks ({@link Frames}), so this strips each chunk's size line and trailing CRLF on
 * the way out and drops the last chunk; the connection's close then ends the body.
 */
final class UnchunkedBody extends ChannelOutboundHandlerAdapter {
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf chunk) || !chunk.isReadable()) {
      ctx.write(msg, promise);
      return;
    }
    int start = chunk.readerIndex() + Frames.payloadOffset(chunk);
    int length = chunk.writerIndex() - 2 - start;
    if (length <= 0) {
      chunk.release(); // the last chunk: the close that follows ends the body
      ctx.write(Unpooled.EMPTY_BUFFER, promise);
      return;
    }
    // A slice shares the chunk's reference count: the transport's release frees the chunk.
    ctx.write(chunk.slice(start, length), promise);
  }
}
