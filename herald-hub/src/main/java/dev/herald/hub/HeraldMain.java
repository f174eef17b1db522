package dev.herald.hub;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code herald} command: {@code herald serve} starts a hub. */
@Command(name = "herald", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "Real-time server push over Server-Sent Events.",
    subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class HeraldMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine(args, System.getenv()).execute(args));
  }

  /** The command line, its defaults read from {@code env} and the config file named in {@code args}. */
  static CommandLine commandLine(String[] args, Map<String, String> env) {
    CommandLine cl = new CommandLine(new HeraldMain());
    // A failure to start is one clear line (bad key file, port in use, store locked), not a trace.
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("herald: " + e.getMessage());
      Hub.LOG.debug("start failed", e);
      return 1;
    });
    // A bad option is one clear line too: the usage is what --help is for, and the ParameterExceptions
    // of ServeCommand.settings() come from a detached CommandLine that would print it as "serve".
    cl.setParameterExceptionHandler((e, badArgs) -> {
      PrintWriter err = cl.getErr();
      err.println("herald: " + e.getMessage() + " (see herald serve --help)");
      CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    });
    try {
      cl.setDefaultValueProvider(ConfigDefaults.from(args, env));
    } catch (IllegalArgumentException e) {
      System.err.println("herald: " + e.getMessage());
      System.exit(2);
    }
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
