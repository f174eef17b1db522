package dev.herald.server.internal;

import dev.herald.server.EndpointRequest;
import dev.herald.server.EndpointResponse;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.StreamHandler;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns one request into an event stream, or into a clear 4xx that names what was wrong. Works the
 * same on HTTP/1.1 and on an HTTP/2 stream (whose frames arrive as HTTP/1 objects).
 *
 * <p>HTTP/1 requests are answered one at a time, in the order they came: a client may send several
 * in one write (pipelining), and an endpoint may answer later (a publish waits for its store).
 * Requests that arrive while one is being answered wait in a queue, and the connection reads no
 * more until the answer went out, so the queue holds at most what one read brought in. A request
 * whose answer closes the connection is the last one served.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  /** Longest {@code Last-Event-ID} accepted; ids are meant to be short. */
  static final int MAX_LAST_EVENT_ID_BYTES = 1024;

  private final RealBroker broker;
  private final ServerConfig config;
  private final ConnectionLimiter limiter;
  private final boolean h2;
  private final byte[] retryFrame;
  private SseStream stream; // once this request became a stream

  // Requests not served yet: made for the first, dropped once the connection became a stream (an
  // idle stream should hold as little as it can: there may be tens of thousands).
  private ArrayDeque<FullHttpRequest> waiting;
  private boolean answering; // the current request's answer is not written yet
  private boolean draining; // serving the queue: an answer given meanwhile lets the loop go on
  private boolean lastAnswer; // the answer being written closes the connection: nothing more is served
  private HttpVersion version = HttpVersion.HTTP_1_1; // of the request being answered
  private boolean keepAlive10; // an HTTP/1.0 request asked to keep the connection

  /** {@code retryFrame}: the encoded {@code retry:} hint every stream starts with. */
  RequestHandler(RealBroker broker, ServerConfig config, byte[] retryFrame, ConnectionLimiter limiter, boolean h2) {
    this.broker = broker;
    this.config = config;
    this.limiter = limiter;
    this.h2 = h2;
    this.retryFrame = retryFrame;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (stream != null || lastAnswer) {
      // A streaming connection reads nothing more (raw bytes once the codec is gone), nor does one
      // whose last answer is on its way: drop it.
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    limiter.requestReceived(ctx.channel());
    if (waiting == null) waiting = new ArrayDeque<>(4);
    waiting.add(req);
    serveWaiting(ctx);
  }

  /** Serves queued requests while no answer is pending; reads more only once all are answered. */
  private void serveWaiting(ChannelHandlerContext ctx) {
    if (draining) return;
    draining = true;
    try {
      FullHttpRequest next;
      while (!answering && !lastAnswer && stream == null && waiting != null && (next = waiting.poll()) != null) {
        answering = true;
        RequestTimer timer = h2 ? null : ctx.pipeline().get(RequestTimer.class);
        if (timer != null) timer.requestReceived();
        try {
          serve(ctx, next);
        } finally {
          next.release();
        }
      }
    } finally {
      draining = false;
    }
    if (lastAnswer || stream != null) releaseWaiting();
    // While an answer is pending (an endpoint completing later, a stream reading its history) the
    // connection reads no more requests: they would only pile up.
    if (!h2 && stream == null && !lastAnswer) ctx.channel().config().setAutoRead(!answering);
  }

  /** The current request's answer is written (queued in order on the channel). */
  private void answered(ChannelHandlerContext ctx) {
    answering = false;
    if (!h2 && !lastAnswer) {
      RequestTimer timer = ctx.pipeline().get(RequestTimer.class);
      if (timer != null) timer.answered();
    }
    serveWaiting(ctx);
  }

  private void releaseWaiting() {
    if (waiting == null) return;
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) r.release();
    if (stream != null) waiting = null; // no request is served on a stream's connection any more
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
    version = req.protocolVersion();
    keepAlive10 = !h2 && HttpVersion.HTTP_1_0.equals(version) && HttpUtil.isKeepAlive(req);
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
    if (!h2 && !("HTTP".equals(version.protocolName()) && version.majorVersion() == 1)) {
      reject(ctx, req, HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "HTTP version " + version.text() + " is not supported: use HTTP/1.1 (or HTTP/2, HTTP/1.0)");
      return;
    }
    String hostProblem = h2 ? null : hostProblem(req);
    if (hostProblem != null) {
      reject(ctx, req, HttpResponseStatus.BAD_REQUEST, hostProblem);
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
    // The configured path rather than this request's decoded copy: an open stream keeps it.
    if (path.equals(config.streamPath())) path = config.streamPath();
    StreamRequest request = new StreamRequest(path, uri.parameters(), headers(req.headers()), lastEventId,
        String.valueOf(remoteAddress(ctx)));
    Subscription subscription = null;
    try {
      if (route != null) {
        route.check(request);
      } else {
        subscription = selector.select(request);
      }
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
    if (subscription != null && subscription.size() > config.maxTopicsPerConnection()) {
      reject(ctx, req, HttpResponseStatus.BAD_REQUEST, "too many topics: " + subscription.size()
          + ", the limit is " + config.maxTopicsPerConnection() + " per connection");
      return;
    }
    if (!limiter.startStream(ctx.channel())) {
      FullHttpResponse res = text(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many event streams: this server serves at most "
          + limiter.limits().maxStreams() + " at once; retry later");
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      send(ctx, req, res, origin);
      return;
    }
    startStream(ctx, request, subscription, route, crossOrigin ? origin : null);
  }

  /** RFC 9112, section 3.2: an HTTP/1.1 request has exactly one Host header. */
  private static String hostProblem(FullHttpRequest req) {
    if (req.protocolVersion().minorVersion() == 0) return null; // HTTP/1.0 predates Host
    int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
    if (hosts == 0) return "missing Host header: HTTP/1.1 requires one";
    if (hosts > 1) return "more than one Host header";
    return null;
  }

  private void startStream(ChannelHandlerContext ctx, StreamRequest request, Subscription subscription,
      StreamHandler route, String allowedOrigin) {
    RequestTimer timer = ctx.pipeline().get(RequestTimer.class);
    if (timer != null) ctx.pipeline().remove(timer); // a stream's request side is quiet by design
    NettyTransport transport = new NettyTransport(ctx.channel(), h2, HttpVersion.HTTP_1_0.equals(version), config,
        allowedOrigin, () -> {
          // Reading on, to see the client hang up (what it sends is dropped).
          ctx.channel().config().setAutoRead(true);
          answering = false;
        });
    stream = new SseStream(request, subscription, transport, broker.fanoutFor(ctx.channel().eventLoop()));
    broker.open(stream, retryFrame);
    if (route != null) {
      try {
        route.handle(request, new RealEventStream(stream));
      } catch (Exception e) {
        LoopFanout.LOG.warn("stream handler for {} failed", request.path(), e);
        stream.end(null);
      }
    }
  }

  private void serveEndpoint(ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri,
      HttpEndpoint endpoint, String origin) {
    byte[] body = new byte[req.content().readableBytes()];
    req.content().getBytes(req.content().readerIndex(), body);
    EndpointRequest request = new EndpointRequest(req.method().name(), uri.path(), uri.parameters(),
        headers(req.headers()), body, String.valueOf(remoteAddress(ctx)));
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    CompletionStage<EndpointResponse> stage;
    try {
      stage = endpoint.handle(request);
    } catch (Exception e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((response, error) -> {
      // On the loop: an answer ready at once goes out before the next pipelined request is read.
      if (ctx.executor().inEventLoop()) {
        answerEndpoint(ctx, request, response, error, origin, keepAlive);
      } else {
        ctx.executor().execute(() -> answerEndpoint(ctx, request, response, error, origin, keepAlive));
      }
    });
  }

  private void answerEndpoint(ChannelHandlerContext ctx, EndpointRequest request, EndpointResponse response,
      Throwable error, String origin, boolean keepAlive) {
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
    respond(ctx, res, !h2 && !keepAlive);
  }

  private static Object remoteAddress(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() != null ? ctx.channel().remoteAddress() : ctx.channel().parent().remoteAddress();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    releaseWaiting();
    if (stream != null) broker.disconnected(stream, "closed");
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // Upgraded to h2c: the connection's streams have their own handlers; its request clocks
      // would end it while every stream is quiet.
      RequestTimer timer = ctx.pipeline().get(RequestTimer.class);
      if (timer != null) ctx.pipeline().remove(timer);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (stream != null && ctx.channel().isWritable()) stream.onWritable();
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof IOException)
        && !(cause instanceof PrematureChannelClosureException)) {
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
    respond(ctx, res, !keepAlive);
  }

  /**
   * Writes the current request's answer, the one way every plain answer leaves; with
   * {@code close}, the connection (or HTTP/2 stream) closes once it went out and no later request
   * is served. Answers keep the requests' order, so a close never cuts an earlier answer.
   */
  private void respond(ChannelHandlerContext ctx, FullHttpResponse res, boolean close) {
    if (!h2 && close) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (keepAlive10) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE); // HTTP/1.0 closes otherwise
    }
    ChannelFuture written = ctx.writeAndFlush(res);
    if (close) {
      lastAnswer = true;
      written.addListener(ChannelFutureListener.CLOSE);
    }
    answered(ctx);
  }

  static FullHttpResponse text(HttpResponseStatus status, String message) {
    ByteBuf body = Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return res;
  }
}
