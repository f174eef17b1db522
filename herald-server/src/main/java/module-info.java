/**
 * Herald's embeddable SSE server: {@link dev.herald.server.HeraldServer}, the
 * {@link dev.herald.server.Broker} and the {@link dev.herald.server.EventLog} SPI. Only
 * {@code dev.herald.server} is exported; the Netty transport in {@code dev.herald.server.internal}
 * is not.
 */
module dev.herald.server {
  requires transitive dev.herald.protocol; // Event is in the API
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.http2;
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.transport;
  // Epoll.isAvailable() decides between epoll and NIO; the native library itself is optional.
  requires io.netty.transport.classes.epoll;
  // Live events to a keeping-up subscriber go out in one writev of their own (NettyTransport).
  requires io.netty.transport.unix.common;
  requires org.slf4j;
  // The default connection cap stays under the file-descriptor limit (UnixOperatingSystemMXBean).
  requires java.management;
  requires jdk.management;

  exports dev.herald.server;
}
