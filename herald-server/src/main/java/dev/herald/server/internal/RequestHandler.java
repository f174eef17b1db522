package dev.herald.server.internal;

import dev.herald.protocol.Event;
import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.StreamHandler;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one request into an event stream, or into a clear 4xx that names what was wrong. Works the
 * same on HTTP/1.1 and on an HTTP/2 stream (whose frames arrive as HTTP/1 objects).
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  /** Longest {@code Last-Event-ID} accepted; ids are meant to be short. */
  static final int MAX_LAST_EVENT_ID_BYTES = 1024;

  private static final List<Class<? extends ChannelHandler>> HTTP1_HANDLERS = List.of(
      io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler.class,
      io.netty.handler.codec.http.HttpServerUpgradeHandler.class,
      io.netty.handler.codec.http.HttpObjectAggregator.class,
      HttpServerCodec.class);

  private final RealBroker broker;
  private final ServerConfig config;
  private final boolean h2;
  private SseConnection connection;

  RequestHandler(RealBroker broker, ServerConfig config, boolean h2) {
    this.broker = broker;
    this.config = config;
    this.h2 = h2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (connection != null) {
      // A streaming connection reads nothing more (raw bytes once the codec is gone): drop it.
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    super.channelRead(ctx, msg);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      Throwable cause = req.decoderResult().cause();
      if (cause instanceof TooLongFrameException) {
        String what = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        HttpResponseStatus status = what.contains("header")
            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            : what.contains("line") ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
        reject(ctx, req, status, "request too large: " + cause.getMessage());
      } else {
        reject(ctx, req, HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
      }
      return;
    }
    QueryStringDecoder uri;
    try {
      uri = new QueryStringDecoder(req.uri());
      uri.parameters(); // decodes now, so a bad escape is reported here
    } catch (IllegalArgumentException e) {
      reject(ctx, req, HttpResponseStatus.BAD_REQUEST, "malformed URL: " + e.getMessage());
      return;
    }
    String path = uri.path();
    StreamHandler route = config.routes().get(path);
    TopicSelector selector = path.equals(config.streamPath()) ? config.topicSelector() : config.extraStreams().get(path);
    boolean topicStream = selector != null;
    boolean streamPath = route != null || topicStream;
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    boolean crossOrigin = origin != null && !Cors.sameOrigin(origin, authority(req));
    if (req.method().equals(HttpMethod.OPTIONS) && origin != null
        && req.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
      preflight(ctx, req, origin, crossOrigin);
      return;
    }
    HttpEndpoint endpoint = config.endpoints().get(path);
    if (endpoint == null && !streamPath) endpoint = config.fallbackEndpoint();
    if (endpoint != null && !(streamPath && req.method().equals(HttpMethod.GET))) {
      serveEndpoint(ctx, req, uri, endpoint, origin);
      return;
    }
    if (!streamPath) {
      reject(ctx, req, HttpResponseStatus.NOT_FOUND, "no event stream at " + path);
      return;
    }
    if (!req.method().equals(HttpMethod.GET)) {
      FullHttpResponse res = text(HttpResponseStatus.METHOD_NOT_ALLOWED,
          req.method() + " is not allowed here: open the stream with GET");
      res.headers().set(HttpHeaderNames.ALLOW, "GET, OPTIONS");
      send(ctx, req, res, origin);
      return;
    }
    if (crossOrigin && !config.cors().allows(origin)) {
      reject(ctx, req, HttpResponseStatus.FORBIDDEN, "origin " + origin + " is not allowed by the CORS policy");
      return;
    }
    String accept = req.headers().get(HttpHeaderNames.ACCEPT);
    if (!Accept.allowsEventStream(accept)) {
      reject(ctx, req, HttpResponseStatus.NOT_ACCEPTABLE,
          "this endpoint serves text/event-stream, which Accept: " + accept + " does not allow");
      return;
    }
    Optional<String> lastEventId;
    try {
      lastEventId = lastEventId(req, uri);
    } catch (IllegalArgumentException e) {
      reject(ctx, req, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    StreamRequest request = new StreamRequest(path, uri.parameters(), headers(req.headers()), lastEventId,
        String.valueOf(remoteAddress(ctx)));
    Subscription subscription = null;
    if (route == null) {
      try {
        subscription = selector.select(request);
      } catch (dev.herald.server.StreamRefusedException e) {
        FullHttpResponse res = text(HttpResponseStatus.valueOf(e.status()), e.getMessage());
        e.headers().forEach(res.headers()::set);
        send(ctx, req, res, req.headers().get(HttpHeaderNames.ORIGIN));
        return;
      } catch (SecurityException e) {
        reject(ctx, req, HttpResponseStatus.FORBIDDEN, e.getMessage());
        return;
      } catch (IllegalArgumentException e) {
        reject(ctx, req, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        return;
      }
      if (subscription.size() > config.maxTopicsPerConnection()) {
        reject(ctx, req, HttpResponseStatus.BAD_REQUEST, "too many topics: " + subscription.size()
            + ", the limit is " + config.maxTopicsPerConnection() + " per connection");
        return;
      }
    }
    startStream(ctx, request, subscription, route, crossOrigin ? origin : null);
  }

  private void startStream(ChannelHandlerContext ctx, StreamRequest request, Subscription subscription,
      StreamHandler route, String allowedOrigin) {
    ReadTimeoutHandler timeout = ctx.pipeline().get(ReadTimeoutHandler.class);
    if (timeout != null) ctx.pipeline().remove(timeout); // a stream's request side is quiet by design
    LoopFanout fanout = broker.fanoutFor(ctx.channel().eventLoop());
    connection = new SseConnection(ctx.channel(), h2, request, subscription, fanout, config.outboundBufferLimitBytes());
    SseConnection c = connection;
    if (subscription != null && request.lastEventId().isPresent()) {
      // Register first (holding live events), then read the history, then answer: the head can
      // then say whether the history was cut.
      c.beginReplay();
      broker.connected(c);
      String id = request.lastEventId().get();
      broker.log().readAfter(id).whenComplete((replay, error) -> c.channel.eventLoop().execute(() -> {
        if (c.isClosed()) return;
        if (error != null) {
          // Nothing was sent yet: say so with a status (clients retry on their own schedule).
          LoopFanout.LOG.warn("history read failed for Last-Event-ID {}: {}", id, error.toString());
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          FullHttpResponse res = text(HttpResponseStatus.SERVICE_UNAVAILABLE,
              "the event history cannot be read now: " + cause.getMessage());
          res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
          if (allowedOrigin != null) Cors.addAllowHeaders(res.headers(), config.cors(), allowedOrigin);
          HttpUtil.setContentLength(res, res.content().readableBytes());
          if (!h2) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
          return;
        }
        // The id of the event before the first one this stream sends: the one asked for, or, when
        // the history no longer holds it (or all was asked for), earliest (Mercure's rule).
        writeHead(ctx, allowedOrigin, replay.historyCut() || dev.herald.server.EventLog.EARLIEST.equals(id)
            ? dev.herald.server.EventLog.EARLIEST : id);
        c.writeEvent(Event.retry(config.retryHint()), ctx.voidPromise());
        c.replay(replay, id);
      }));
      return;
    }
    writeHead(ctx, allowedOrigin, null);
    c.writeEvent(Event.retry(config.retryHint()), ctx.voidPromise());
    ctx.flush();
    broker.connected(c);
    if (route != null) {
      try {
        route.handle(request, new RealEventStream(c));
      } catch (Exception e) {
        LoopFanout.LOG.warn("stream handler for {} failed", request.path(), e);
        c.end(null);
      }
    }
  }

  /** Writes the stream's head; {@code resumedAfter}, if not null, as its {@code Last-Event-ID}. */
  private void writeHead(ChannelHandlerContext ctx, String allowedOrigin, String resumedAfter) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = res.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    h.set("x-accel-buffering", "no");
    config.streamHeaders().forEach(h::set);
    // UTF-8 bytes, as the request header is read: Netty writes each char of a value as one byte.
    if (resumedAfter != null) {
      h.set("last-event-id", new String(resumedAfter.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }
    if (allowedOrigin != null) Cors.addAllowHeaders(h, config.cors(), allowedOrigin);
    if (h2) {
      ctx.write(res);
    } else {
      HttpUtil.setTransferEncodingChunked(res, true);
      // The connection ends with the stream: a client must not pool it for another request.
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.write(res);
      // From here on the body goes out as pre-framed chunks, shared by all subscribers, and
      // nothing more is read: the HTTP machinery leaves the pipeline, so each write and flush
      // goes straight to the socket and an idle stream holds about 1 KB less.
      ChannelPipeline pipeline = ctx.pipeline();
      for (Class<? extends ChannelHandler> type : HTTP1_HANDLERS) {
        ChannelHandler handler = pipeline.get(type);
        if (handler != null) pipeline.remove(handler);
      }
    }
    connection.started();
  }

  private void serveEndpoint(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri,
      HttpEndpoint endpoint, String origin) {
    byte[] body = new byte[req.content().readableBytes()];
    req.content().getBytes(req.content().readerIndex(), body);
    EndpointRequest request = new EndpointRequest(req.method().name(), uri.path(), uri.parameters(),
        headers(req.headers()), body, String.valueOf(remoteAddress(ctx)));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    java.util.concurrent.CompletionStage<EndpointResponse> stage;
    try {
      stage = endpoint.handle(request);
    } catch (Exception e) {
      stage = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((response, error) -> ctx.executor().execute(() -> {
      EndpointResponse r = response;
      if (error != null || r == null) {
        LoopFanout.LOG.warn("endpoint {} {} failed", request.method(), request.path(), error);
        r = EndpointResponse.text(500, "internal error");
      }
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
      r.headers().forEach(res.headers()::set);
      if (origin != null && config.cors().allows(origin)) Cors.addAllowHeaders(res.headers(), config.cors(), origin);
      HttpUtil.setContentLength(res, r.body().length);
      if (!h2 && !keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      var future = ctx.writeAndFlush(res);
      if (!h2 && !keepAlive) future.addListener(ChannelFutureListener.CLOSE);
    }));
  }

  private static Object remoteAddress(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() != null ? ctx.channel().remoteAddress() : ctx.channel().parent().remoteAddress();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (connection != null) broker.disconnected(connection, "closed");
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (connection != null && ctx.channel().isWritable()) connection.onWritable();
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof io.netty.handler.timeout.ReadTimeoutException) {
      LoopFanout.LOG.debug("no request within {}: closing {}", config.requestTimeout(), ctx.channel().remoteAddress());
    } else if (!(cause instanceof java.io.IOException)
        && !(cause instanceof io.netty.handler.codec.PrematureChannelClosureException)) {
      // A peer that hangs up mid-request is routine, not a server error.
      LoopFanout.LOG.warn("closing {} after an error", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private void preflight(ChannelHandlerContext ctx, FullHttpRequest req, String origin, boolean crossOrigin) {
    if (origin == null || !crossOrigin || !config.cors().allows(origin)) {
      reject(ctx, req, HttpResponseStatus.FORBIDDEN, "CORS preflight refused for origin " + origin);
      return;
    }
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
    Cors.addPreflightHeaders(res.headers(), config.cors(), origin,
        req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
    send(ctx, req, res, null);
  }

  private static Optional<String> lastEventId(FullHttpRequest req, QueryStringDecoder uri) {
    String raw = req.headers().get("last-event-id");
    String id;
    if (raw != null) {
      // Header values arrive one char per byte; the id is UTF-8.
      id = new String(raw.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    } else {
      List<String> q = uri.parameters().get("lastEventID");
      if (q == null || q.isEmpty()) q = uri.parameters().get("last_event_id");
      id = q == null || q.isEmpty() ? null : q.get(0);
    }
    if (id == null || id.isEmpty()) return Optional.empty();
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_LAST_EVENT_ID_BYTES) {
      throw new IllegalArgumentException("invalid Last-Event-ID: longer than " + MAX_LAST_EVENT_ID_BYTES + " bytes");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '\r' || c == '\n' || c == '\0' || c == '\uFFFD') {
        throw new IllegalArgumentException("invalid Last-Event-ID: it holds a control character or invalid UTF-8");
      }
    }
    return Optional.of(id);
  }

  private static Map<String, List<String>> headers(HttpHeaders headers) {
    Map<String, List<String>> map = new HashMap<>();
    for (Map.Entry<String, String> e : headers) {
      map.computeIfAbsent(e.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(e.getValue());
    }
    map.replaceAll((k, v) -> List.copyOf(v));
    return map;
  }

  private static String authority(FullHttpRequest req) {
    String host = req.headers().get(HttpHeaderNames.HOST);
    return host != null ? host : req.headers().get(":authority");
  }

  private void reject(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String message) {
    send(ctx, req, text(status, message), req.headers().get(HttpHeaderNames.ORIGIN));
  }

  private void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res, String origin) {
    if (origin != null && config.cors().allows(origin)) Cors.addAllowHeaders(res.headers(), config.cors(), origin);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    boolean keepAlive = !h2 && req.decoderResult().isSuccess() && HttpUtil.isKeepAlive(req)
        && res.status().code() < 500 && res.status().code() != 431 && res.status().code() != 414;
    if (!h2 && !keepAlive) res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    var future = ctx.writeAndFlush(res);
    if (!keepAlive) future.addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse text(HttpResponseStatus status, String message) {
    ByteBuf body = Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return res;
  }
}
