package dev.herald.hub.console;

import dev.herald.hub.ConsoleTestHub;
import dev.herald.hub.Hub;
import dev.herald.server.HeraldServer;
import dev.herald.server.TopicPattern;
import java.util.regex.Pattern;

/**
 * A real hub (dev.herald.hub.Hub) on a loopback port with the console and the demos installed, as
 * {@code herald serve} wires them; authorisation is stubbed with named tokens, as in the hub's own
 * tests: {@code ConsoleTestHub.PUBLISHER_TOKEN} publishes anywhere, {@code ConsoleTestHub.SUBSCRIBER_TOKEN} sees every private update.
 *
 * <p>The hub's assembly API is package-private: {@link ConsoleTestHub}, in the hub's package,
 * starts it with the settings {@code herald serve} parses, so new options keep their defaults.
 */
final class InProcessHub implements AutoCloseable {
  final AutoCloseable hub;
  final HeraldServer server;
  final String base;

  private InProcessHub(Hub hub) {
    this.hub = hub;
    this.server = hub.server();
    this.base = "http://127.0.0.1:" + server.port();
  }

  static InProcessHub start(ChatResponder responder, boolean demosOn) {
    return new InProcessHub(ConsoleTestHub.start(demosOn, InProcessHub::selector, new ConsolePages(demosOn), responder));
  }

  /** Exact topics, {@code *}, and templates whose {@code {var}} matches one path segment. */
  static TopicPattern selector(String s) {
    if (s.equals("*")) return t -> true;
    Pattern p = Pattern.compile(Pattern.quote(s).replaceAll("\\{[^}]*}", "\\\\E[^/]+\\\\Q"));
    return t -> p.matcher(t).matches();
  }

  @Override
  public void close() throws Exception {
    hub.close(); // and the demos with it
  }
}
