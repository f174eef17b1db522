package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code herald --version} prints the version of the build, not one written in the code. */
class HeraldVersionTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void versionOptionPrintsTheProjectVersionTheBuildWasMadeAs() throws Exception {
    String expected = System.getProperty("herald.build.version");
    assertThat(expected).as("the pom's version, passed by surefire").isNotBlank().doesNotContain("${");

    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process herald = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
        HeraldMain.class.getName(), "--version").redirectErrorStream(true).start();
    String output = new String(herald.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(herald.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(herald.exitValue()).isZero();
    assertThat(output).isEqualTo("herald " + expected + System.lineSeparator());
  }
}
