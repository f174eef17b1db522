package dev.herald.hub;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it: the environment
 * ({@code --history-max-age} is {@code HERALD_HISTORY_MAX_AGE}), then the config file (a properties
 * file, key {@code history-max-age}), then the built-in default.
 */
final class ConfigDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;
  private final Properties file;

  ConfigDefaults(Map<String, String> env, Properties file) {
    this.env = env;
    this.file = file;
  }

  /** Reads the config file named by {@code --config} in {@code args}, or by {@code HERALD_CONFIG}. */
  static ConfigDefaults from(String[] args, Map<String, String> env) {
    String path = env.get("HERALD_CONFIG");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) path = args[i + 1];
      if (args[i].startsWith("--config=")) path = args[i].substring("--config=".length());
    }
    Properties properties = new Properties();
    if (path != null) {
      try (Reader r = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
        properties.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config file " + path + ": " + e.getMessage(), e);
      }
    }
    return new ConfigDefaults(env, properties);
  }

  static String envName(String longName) {
    return "HERALD_" + longName.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) {
    if (!(argSpec instanceof OptionSpec)) return null;
    String name = ((OptionSpec) argSpec).longestName();
    if (name.equals("--config")) return null;
    String fromEnv = env.get(envName(name));
    if (fromEnv != null) return fromEnv;
    return file.getProperty(name.replaceFirst("^--", ""));
  }
}
