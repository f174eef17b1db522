package dev.herald.hub;

import dev.herald.server.HeraldServer;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.TopicPattern;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * For tests in other packages (the console's): a hub started as {@code herald serve} configures
 * it, its settings parsed from the command line so every option keeps its real default, on an
 * in-memory store, with real JWT authorisation and two tokens for it: {@link #PUBLISHER_TOKEN} and
 * {@link #SUBSCRIBER_TOKEN}.
 */
public final class ConsoleTestHub {
  /** May publish to every topic. */
  public static final String PUBLISHER_TOKEN = TestAuth.PUB_ALL;
  /** Receives every private update. */
  public static final String SUBSCRIBER_TOKEN = TestAuth.SUB_ALL;

  private ConsoleTestHub() {}

  /** Starts a hub on a free loopback port; {@code customize} adds routes (the console, the demos). */
  public static Hub start(boolean demosOn, Function<String, TopicPattern> selectors, HttpEndpoint pages,
      Consumer<HeraldServer.Builder> customize) {
    HubSettings settings = ServeArgs.settings("--bind", "127.0.0.1", "--port", "0", "--publisher-key", "test",
        "--anonymous", "--store", "memory", "--max-data-bytes", "65536", "--demo=" + demosOn);
    Hub.Parts parts = new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true, selectors, selectors, pages);
    return Hub.start(settings, parts, customize);
  }
}
