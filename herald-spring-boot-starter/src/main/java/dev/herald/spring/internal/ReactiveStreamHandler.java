package dev.herald.spring.internal;

import dev.herald.server.Broker;
import dev.herald.server.StreamHandle;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import dev.herald.servlet.internal.ServletRequests;
import dev.herald.spring.SubscribeAuthorizer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * One stream path on WebFlux: checks the request as Herald's own server does (406, 400, the
 * selector's and the authorizer's refusals, each with a one-line reason), then opens the topic
 * stream on the broker with a {@link ReactiveTransport}. The response's head is written when the
 * broker says how the stream starts (after reading the history, for a resume).
 */
public final class ReactiveStreamHandler implements HandlerFunction<ServerResponse> {
  private final Broker broker;
  private final TopicSelector selector;
  private final SubscribeAuthorizer authorizer;
  private final long outboundLimitBytes;
  private final int maxTopicsPerConnection;

  public ReactiveStreamHandler(Broker broker, TopicSelector selector, SubscribeAuthorizer authorizer,
      long outboundLimitBytes, int maxTopicsPerConnection) {
    this.broker = broker;
    this.selector = selector;
    this.authorizer = authorizer;
    this.outboundLimitBytes = outboundLimitBytes;
    this.maxTopicsPerConnection = maxTopicsPerConnection;
  }

  @Override
  public Mono<ServerResponse> handle(ServerRequest request) {
    return request.principal().map(Optional::of).defaultIfEmpty(Optional.empty())
        .map(principal -> respond(request.exchange(), principal.orElse(null)));
  }

  private ServerResponse respond(ServerWebExchange exchange, Principal principal) {
    ServerHttpRequest req = exchange.getRequest();
    String accept = req.getHeaders().getFirst(HttpHeaders.ACCEPT);
    if (!ServletRequests.acceptsEventStream(accept)) {
      return refusal(HttpStatus.NOT_ACCEPTABLE, "this endpoint serves text/event-stream, which Accept: " + accept
          + " does not allow", Map.of());
    }
    Subscription subscription;
    StreamRequest request;
    try {
      request = streamRequest(req);
      subscription = selector.select(request);
      authorizer.authorize(request, subscription, principal);
    } catch (StreamRefusedException e) {
      return refusal(HttpStatusCode.valueOf(e.status()), e.getMessage(), e.headers());
    } catch (SecurityException e) {
      return refusal(HttpStatus.FORBIDDEN, e.getMessage(), Map.of());
    } catch (IllegalArgumentException e) {
      return refusal(HttpStatus.BAD_REQUEST, e.getMessage(), Map.of());
    }
    if (subscription.size() > maxTopicsPerConnection) {
      return refusal(HttpStatus.BAD_REQUEST, "too many topics: " + subscription.size() + ", the limit is "
          + maxTopicsPerConnection + " per connection", Map.of());
    }
    return new Streaming(request, subscription);
  }

  private static StreamRequest streamRequest(ServerHttpRequest req) {
    Map<String, List<String>> query = new HashMap<>(req.getQueryParams());
    Map<String, List<String>> headers = new HashMap<>();
    req.getHeaders().forEach((name, values) ->
        headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
    headers.replaceAll((k, v) -> List.copyOf(v));
    InetSocketAddress remote = req.getRemoteAddress();
    return new StreamRequest(req.getPath().pathWithinApplication().value(), query, headers,
        ServletRequests.lastEventId(req.getHeaders().getFirst("Last-Event-ID"), query),
        remote == null ? "unknown" : remote.getAddress().getHostAddress() + ":" + remote.getPort());
  }

  private static ServerResponse refusal(HttpStatusCode status, String message, Map<String, String> headers) {
    String line = message.replace('\r', ' ').replace('\n', ' ') + "\n";
    return new RawResponse(status) {
      @Override
      public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
        ServerHttpResponse res = exchange.getResponse();
        res.setStatusCode(status);
        res.getHeaders().setContentType(new MediaType("text", "plain", StandardCharsets.UTF_8));
        headers.forEach(res.getHeaders()::set);
        return res.writeWith(Mono.just(res.bufferFactory().wrap(line.getBytes(StandardCharsets.UTF_8))));
      }
    };
  }

  /** The stream: its head and body come from the broker, through the transport. */
  private final class Streaming extends RawResponse {
    private final StreamRequest request;
    private final Subscription subscription;

    Streaming(StreamRequest request, Subscription subscription) {
      super(HttpStatus.OK);
      this.request = request;
      this.subscription = subscription;
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
      // CORS headers, if any, were set on the response by Spring's CORS processing already.
      ReactiveTransport transport = new ReactiveTransport(exchange.getResponse(), outboundLimitBytes, Map.of());
      StreamHandle handle = broker.openStream(request, subscription, transport);
      return exchange.getResponse().writeAndFlushWith(transport.body(handle));
    }
  }

  /** A response that writes itself: its status and headers are set in {@code writeTo}. */
  private abstract static class RawResponse implements ServerResponse {
    private final HttpStatusCode status;

    RawResponse(HttpStatusCode status) {
      this.status = status;
    }

    @Override
    public HttpStatusCode statusCode() {
      return status;
    }

    @Override
    public HttpHeaders headers() {
      return new HttpHeaders();
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
      return new LinkedMultiValueMap<>();
    }
  }
}
