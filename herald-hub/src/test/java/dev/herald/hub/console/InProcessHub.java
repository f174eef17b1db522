package dev.herald.hub.console;

import dev.herald.server.HeraldServer;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.TopicPattern;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A real hub (dev.herald.hub.Hub) on a loopback port with the console and the demos installed, as
 * {@code herald serve} wires them; authorisation is stubbed with named tokens, as in the hub's own
 * tests: {@code pub-all} publishes anywhere, {@code sub-all} sees every private update.
 *
 * <p>The hub's assembly API is package-private, so it is reached by reflection here, with the
 * settings and parts filled in by record component name: the test keeps working as they grow.
 */
final class InProcessHub implements AutoCloseable {
  final AutoCloseable hub;
  final HeraldServer server;
  final Demos demos;
  final String base;

  private InProcessHub(AutoCloseable hub, HeraldServer server, Demos demos) {
    this.hub = hub;
    this.server = server;
    this.demos = demos;
    this.base = "http://127.0.0.1:" + server.port();
  }

  static InProcessHub start(ChatResponder responder, boolean demosOn) throws Exception {
    ClassLoader loader = InProcessHub.class.getClassLoader();
    Class<?> hubClass = Class.forName("dev.herald.hub.Hub", true, loader);
    Class<?> settingsClass = Class.forName("dev.herald.hub.HubSettings", true, loader);
    Class<?> partsClass = Class.forName("dev.herald.hub.Hub$Parts", true, loader);
    Class<?> authClass = Class.forName("dev.herald.hub.HubAuth", true, loader);

    Map<String, Object> settings = new HashMap<>();
    settings.put("bindAddress", "127.0.0.1");
    settings.put("port", 0);
    settings.put("corsOrigins", List.of());
    settings.put("jwtAlgorithm", "HS256");
    settings.put("publisherKey", "test");
    settings.put("anonymousSubscribers", true);
    settings.put("store", "memory");
    settings.put("dataDir", Path.of("data"));
    settings.put("historyMaxEvents", 10_000);
    settings.put("historyMaxAge", Duration.ofHours(1));
    settings.put("heartbeat", Duration.ofSeconds(15));
    settings.put("maxDataBytes", 65_536);
    settings.put("demo", demosOn);

    Map<String, Object> parts = new HashMap<>();
    parts.put("auth", Proxy.newProxyInstance(authClass.getClassLoader(), new Class<?>[] {authClass}, new FakeAuth()));
    parts.put("log", InMemoryEventLog.create());
    parts.put("storeReady", (BooleanSupplier) () -> true);
    parts.put("selectors", (Function<String, TopicPattern>) InProcessHub::selector);
    parts.put("urlPatterns", (Function<String, TopicPattern>) InProcessHub::selector);
    parts.put("pages", new ConsolePages(demosOn));

    HeraldServer[] built = new HeraldServer[1];
    Demos[] demos = new Demos[1];
    Consumer<HeraldServer.Builder> customize = builder -> demos[0] =
        Demos.install(builder, () -> built[0].broker(), responder, demosOn);
    Method start = hubClass.getDeclaredMethod("start", settingsClass, partsClass, Consumer.class);
    start.setAccessible(true);
    AutoCloseable hub = (AutoCloseable) start.invoke(null, record(settingsClass, settings), record(partsClass, parts),
        customize);
    built[0] = (HeraldServer) hubClass.getMethod("server").invoke(hub);
    return new InProcessHub(hub, built[0], demos[0]);
  }

  /** Exact topics, {@code *}, and templates whose {@code {var}} matches one path segment. */
  static TopicPattern selector(String s) {
    if (s.equals("*")) return t -> true;
    Pattern p = Pattern.compile(Pattern.quote(s).replaceAll("\\{[^}]*}", "\\\\E[^/]+\\\\Q"));
    return t -> p.matcher(t).matches();
  }

  private static Object record(Class<?> type, Map<String, Object> values) throws Exception {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] types = new Class<?>[components.length];
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      Object v = values.get(components[i].getName());
      if (v == null && types[i] == boolean.class) v = false;
      if (v == null && types[i] == int.class) v = 0;
      if (v == null && types[i] == long.class) v = 0L;
      args[i] = v;
    }
    Constructor<?> c = type.getDeclaredConstructor(types);
    c.setAccessible(true);
    return c.newInstance(args);
  }

  /** HubAuth by names: the token decides the access, as the hub's FakeAuth does. */
  private static final class FakeAuth implements InvocationHandler {
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "publisher":
        case "subscriber":
          return authenticate(method, args);
        case "challenge": return "Bearer realm=\"herald\", error=\"invalid_token\"";
        case "toString": return "FakeAuth";
        case "hashCode": return System.identityHashCode(proxy);
        case "equals": return proxy == args[0];
        default: throw new UnsupportedOperationException(method.getName());
      }
    }

    @SuppressWarnings("unchecked")
    private static Object authenticate(Method method, Object[] args) throws Exception {
      Map<String, List<String>> headers = (Map<String, List<String>>) args[0];
      List<String> auth = headers.get("authorization");
      if (auth == null || auth.isEmpty()) return Optional.empty();
      String token = auth.get(0).substring("Bearer ".length());
      TopicPattern all = t -> true;
      switch (token) {
        case "pub-all": return Optional.of(access(List.of(all), List.of()));
        case "sub-all": return Optional.of(access(List.of(), List.of(all)));
        default: throw authException("invalid token");
      }
    }

    private static Object access(List<TopicPattern> publish, List<TopicPattern> subscribe) throws Exception {
      Constructor<?> c = Class.forName("dev.herald.hub.Access").getDeclaredConstructor(List.class, List.class);
      c.setAccessible(true);
      return c.newInstance(publish, subscribe);
    }

    private static RuntimeException authException(String message) throws Exception {
      Constructor<?> c = Class.forName("dev.herald.hub.HubAuth$AuthException").getDeclaredConstructor(String.class);
      c.setAccessible(true);
      return (RuntimeException) c.newInstance(message);
    }
  }

  @Override
  public void close() throws Exception {
    hub.close();
    demos.close();
  }
}
