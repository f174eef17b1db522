package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSourceError.Kind;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The client over HTTP/2: a Netty h2c server (the JDK upgrades plain http from HTTP/1.1) whose
 * streams answer with events, the first ending its stream so the client reconnects on a new
 * stream of the same connection.
 */
class Http2Test {
  private EventLoopGroup group;
  private Channel channel;
  private final BlockingQueue<String> lastEventIds = new LinkedBlockingQueue<>();
  private final Recorder recorder = new Recorder();
  private volatile int streams;

  @BeforeEach
  void start() throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            HttpServerCodec http1 = new HttpServerCodec();
            HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new StreamHandler()))
                    : null;
            ch.pipeline().addLast(http1, new HttpServerUpgradeHandler(http1, upgrades));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterEach
  void stop() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Answers each HTTP/2 stream: the first with two events and the end, the next ones stay open. */
  @io.netty.channel.ChannelHandler.Sharable // one instance serves every stream of a connection
  private final class StreamHandler extends SimpleChannelInboundHandler<Http2StreamFrame> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      if (!(frame instanceof Http2HeadersFrame headers)) return;
      CharSequence id = headers.headers().get("last-event-id");
      lastEventIds.add(id == null ? "(none)"
          : new String(id.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
      int n = ++streams;
      ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
          .set("content-type", "text/event-stream")));
      String body = n == 1 ? "id: \u2026\nevent: greeting\ndata: hello\n\n" : "data: again\n\n";
      ctx.writeAndFlush(new DefaultHttp2DataFrame(
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), n == 1));
    }
  }

  @Test
  @DisplayName("named events, reconnection and a non-ASCII Last-Event-ID work over HTTP/2")
  void worksOverHttp2() throws Exception {
    int port = ((InetSocketAddress) channel.localAddress()).getPort();
    try (EventSource es = recorder.attach(EventSource.builder(URI.create("http://127.0.0.1:" + port + "/h2"))
        .initialRetryDelay(ScriptedServerTestBase.TINY_DELAY), "greeting").build()) {
      recorder.assertOpen();
      recorder.assertEvent("greeting", "hello", "\u2026");
      recorder.assertRetrying(Kind.END_OF_STREAM);
      recorder.assertOpen();
      recorder.assertEvent("message", "again", "\u2026");
      assertThat(lastEventIds.poll(30, TimeUnit.SECONDS)).isEqualTo("(none)");
      // HPACK carries header bytes as they are: the UTF-8 id arrives intact over HTTP/2.
      assertThat(lastEventIds.poll(30, TimeUnit.SECONDS)).isEqualTo("\u2026");
      assertThat(streams).isEqualTo(2);
      recorder.assertExhausted();
      assertThat(es.readyState()).isEqualTo(EventSource.ReadyState.OPEN);
    }
  }
}
