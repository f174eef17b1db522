package dev.herald.hub;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/** Hubs for tests, configured as {@code herald serve} configures them: from its options. */
final class ServeArgs {
  private ServeArgs() {}

  /** The settings {@code herald serve <options>} would run with (no environment, no config file). */
  static HubSettings settings(String... options) {
    String[] args = new String[options.length + 1];
    args[0] = "serve";
    System.arraycopy(options, 0, args, 1, options.length);
    return ((ServeCommand) HeraldMain.commandLine(args, Map.of()).parseArgs(args)
        .subcommand().commandSpec().userObject()).settings();
  }

  /** A hub started with {@code options}, printing nothing (dev-mode tokens included). */
  static Hub start(String... options) throws Exception {
    return Hub.start(settings(options), null, new PrintStream(OutputStream.nullOutputStream()));
  }
}
