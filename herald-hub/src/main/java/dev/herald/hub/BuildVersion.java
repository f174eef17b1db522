package dev.herald.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code herald --version}: the version the build wrote into {@code herald-version.properties}
 * (Maven resource filtering), so it cannot drift from the pom's.
 */
final class BuildVersion implements CommandLine.IVersionProvider {
  static final String RESOURCE = "herald-version.properties";

  /** The project version this jar was built as, for instance {@code 0.1.0-SNAPSHOT}. */
  static String version() {
    try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
      // Missing only in a build that skipped resource processing: say so rather than invent one.
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the class path");
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  @Override
  public String[] getVersion() {
    return new String[] {"herald " + version()};
  }
}
