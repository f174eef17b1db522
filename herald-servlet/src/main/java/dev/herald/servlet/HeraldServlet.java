package dev.herald.servlet;

import dev.herald.server.Broker;
import dev.herald.server.CorsPolicy;
import dev.herald.server.HeraldServer;
import dev.herald.server.StreamHandle;
import dev.herald.server.StreamRefusedException;
import dev.herald.server.StreamRequest;
import dev.herald.server.Subscription;
import dev.herald.server.TopicSelector;
import dev.herald.servlet.internal.ServletRequests;
import dev.herald.servlet.internal.ServletTransport;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Serves Herald topic streams from any Jakarta Servlet 6 container (Tomcat, Jetty, Undertow), with
 * Herald's semantics: topics and patterns, {@code Last-Event-ID} replay with the
 * {@code history-cut} signal, heartbeats, slow-consumer cut-off, the {@code retry:} hint at
 * shutdown. Writes are asynchronous and non-blocking ({@code AsyncContext} and a
 * {@code WriteListener}): no thread is held per subscriber, and a publisher never waits for a slow
 * client.
 *
 * <pre>{@code
 * Broker broker = Broker.builder(InMemoryEventLog.create()).build();
 * ServletRegistration.Dynamic events = context.addServlet("events", HeraldServlet.builder(broker).build());
 * events.setAsyncSupported(true);   // required
 * events.addMapping("/events");
 * // browser: new EventSource('/events?topic=news'); server: broker.publish("news", Event.of("hi"))
 * }</pre>
 *
 * <p>The servlet must be registered with async support. Requests are answered as on Herald's own
 * server: {@code 405} for a method other than GET, {@code 406} when {@code Accept} excludes
 * {@code text/event-stream}, {@code 400} for a malformed {@code Last-Event-ID} or topic selection,
 * {@code 403} for a selection the {@link TopicSelector} refuses, each with a one-line message.
 */
public final class HeraldServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient Broker broker;
  private final transient TopicSelector selector;
  private final transient CorsPolicy cors;
  private final int outboundBufferLimitBytes;
  private final int maxTopicsPerConnection;

  private HeraldServlet(Builder b) {
    this.broker = b.broker;
    this.selector = b.selector;
    this.cors = b.cors;
    this.outboundBufferLimitBytes = b.outboundBufferLimitBytes;
    this.maxTopicsPerConnection = b.maxTopicsPerConnection;
  }

  /** A servlet serving topic streams of {@code broker}. */
  public static Builder builder(Broker broker) {
    return new Builder(broker);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
    String origin = req.getHeader("Origin");
    if (cors != null && origin != null && "OPTIONS".equals(req.getMethod())
        && req.getHeader("Access-Control-Request-Method") != null) {
      preflight(req, res, origin);
      return;
    }
    if (!"GET".equals(req.getMethod())) {
      res.setHeader("Allow", cors != null ? "GET, OPTIONS" : "GET");
      refuse(res, HttpServletResponse.SC_METHOD_NOT_ALLOWED, req.getMethod() + " is not allowed here: open the stream with GET");
      return;
    }
    Map<String, String> corsHeaders = new LinkedHashMap<>();
    if (cors != null && origin != null && !sameOrigin(req, origin)) {
      if (!cors.allows(origin)) {
        refuse(res, HttpServletResponse.SC_FORBIDDEN, "origin " + origin + " is not allowed by the CORS policy");
        return;
      }
      corsHeaders.put("Access-Control-Allow-Origin", cors.allowOriginValue(origin));
      if (cors.allowsCredentials()) corsHeaders.put("Access-Control-Allow-Credentials", "true");
      corsHeaders.put("Vary", "Origin");
      corsHeaders.forEach(res::setHeader);
    }
    String accept = req.getHeader("Accept");
    if (!ServletRequests.acceptsEventStream(accept)) {
      refuse(res, HttpServletResponse.SC_NOT_ACCEPTABLE,
          "this endpoint serves text/event-stream, which Accept: " + accept + " does not allow");
      return;
    }
    StreamRequest request;
    Subscription subscription;
    try {
      request = ServletRequests.read(req, pathOf(req));
      subscription = selector.select(request);
    } catch (StreamRefusedException e) {
      e.headers().forEach(res::setHeader);
      refuse(res, e.status(), e.getMessage());
      return;
    } catch (SecurityException e) {
      refuse(res, HttpServletResponse.SC_FORBIDDEN, e.getMessage());
      return;
    } catch (IllegalArgumentException e) {
      refuse(res, HttpServletResponse.SC_BAD_REQUEST, e.getMessage());
      return;
    }
    if (subscription.size() > maxTopicsPerConnection) {
      refuse(res, HttpServletResponse.SC_BAD_REQUEST, "too many topics: " + subscription.size()
          + ", the limit is " + maxTopicsPerConnection + " per connection");
      return;
    }
    AsyncContext async = req.startAsync();
    async.setTimeout(0); // the stream ends when Herald or the client ends it, not on a container timer
    ServletTransport transport = new ServletTransport(async, res, outboundBufferLimitBytes, corsHeaders);
    StreamHandle handle = broker.openStream(request, subscription, transport);
    transport.attach(handle);
  }

  private void preflight(HttpServletRequest req, HttpServletResponse res, String origin) throws IOException {
    if (sameOrigin(req, origin) || !cors.allows(origin)) {
      refuse(res, HttpServletResponse.SC_FORBIDDEN, "CORS preflight refused for origin " + origin);
      return;
    }
    res.setStatus(HttpServletResponse.SC_NO_CONTENT);
    res.setHeader("Access-Control-Allow-Origin", cors.allowOriginValue(origin));
    if (cors.allowsCredentials()) res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Allow-Methods", "GET, OPTIONS");
    String asked = req.getHeader("Access-Control-Request-Headers");
    res.setHeader("Access-Control-Allow-Headers",
        asked == null || asked.isBlank() ? "last-event-id, authorization, cache-control, accept" : asked);
    res.setHeader("Access-Control-Max-Age", Long.toString(CorsPolicy.DEFAULT_MAX_AGE.toSeconds()));
  }

  private static boolean sameOrigin(HttpServletRequest req, String origin) {
    int port = req.getServerPort();
    boolean defaultPort = ("http".equals(req.getScheme()) && port == 80) || ("https".equals(req.getScheme()) && port == 443);
    String own = req.getScheme() + "://" + req.getServerName() + (defaultPort ? "" : ":" + port);
    return own.equalsIgnoreCase(origin);
  }

  private static String pathOf(HttpServletRequest req) {
    String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
    return path.isEmpty() ? "/" : path;
  }

  private static void refuse(HttpServletResponse res, int status, String message) throws IOException {
    res.setStatus(status);
    res.setContentType("text/plain");
    res.setCharacterEncoding("UTF-8");
    // One line: a message is never allowed to start another.
    res.getWriter().write(message.replace('\r', ' ').replace('\n', ' ') + "\n");
  }

  /** Configures a {@link HeraldServlet}; every setting has a documented default. */
  public static final class Builder {
    private final Broker broker;
    private TopicSelector selector = TopicSelector.QUERY;
    private CorsPolicy cors;
    private int outboundBufferLimitBytes = HeraldServer.DEFAULT_OUTBOUND_BUFFER_LIMIT_BYTES;
    private int maxTopicsPerConnection = HeraldServer.DEFAULT_MAX_TOPICS_PER_CONNECTION;

    private Builder(Broker broker) {
      this.broker = Objects.requireNonNull(broker, "broker");
    }

    /** How a request's topics are chosen (and refused). Default {@link TopicSelector#QUERY}. */
    public Builder topicSelector(TopicSelector selector) {
      this.selector = Objects.requireNonNull(selector, "topicSelector");
      return this;
    }

    /**
     * Answers cross-origin requests and preflights by {@code policy}. Without one (the default), the
     * servlet adds no CORS header and refuses no origin: CORS is left to the container's or the
     * framework's filters, and browsers keep other origins out.
     */
    public Builder cors(CorsPolicy policy) {
      this.cors = Objects.requireNonNull(policy, "cors");
      return this;
    }

    /**
     * Bytes one stream may have waiting for its client; a client further behind is cut off and
     * catches up from the history when it reconnects. Default 1 MiB.
     */
    public Builder outboundBufferLimitBytes(int bytes) {
      if (bytes < 1024) throw new IllegalArgumentException("outboundBufferLimitBytes must be at least 1024: " + bytes);
      this.outboundBufferLimitBytes = bytes;
      return this;
    }

    /** Topics plus patterns one stream may follow; more is a 400. Default 100. */
    public Builder maxTopicsPerConnection(int max) {
      if (max < 1) throw new IllegalArgumentException("maxTopicsPerConnection must be positive: " + max);
      this.maxTopicsPerConnection = max;
      return this;
    }

    public HeraldServlet build() {
      return new HeraldServlet(this);
    }
  }
}
