package dev.herald.hub;

import dev.herald.hub.auth.MercureSelector;
import dev.herald.hub.console.ChatResponder;
import dev.herald.server.HttpEndpoint;
import dev.herald.server.InMemoryEventLog;
import dev.herald.server.TopicPattern;
import java.util.List;
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

  /** Starts a hub on a free loopback port; {@code chat} answers the chat demo (null when the demos are off). */
  public static Hub start(boolean demosOn, Function<String, TopicPattern> selectors, HttpEndpoint pages,
      ChatResponder chat) {
    HubSettings settings = ServeArgs.settings("--bind", "127.0.0.1", "--port", "0", "--publisher-key", "test",
        "--anonymous", "--store", "memory", "--max-data-bytes", "65536", "--demo=" + demosOn);
    Hub.Parts parts = new Hub.Parts(TestAuth.authorizer(), InMemoryEventLog.create(), () -> true, selectors, selectors, pages,
        null, null, chat, List.of());
    return Hub.start(settings, parts);
  }
}
