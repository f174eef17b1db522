package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The native epoll library is optional: without it on the class path (any platform but Linux
 * x86_64, or an application that leaves it out) the server picks Netty's NIO transport and serves
 * streams as usual.
 */
class NioTransportTest {
  private static final String NATIVE_EPOLL_JAR = "netty-transport-native-epoll";

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void servesStreamsOverNioWhenTheNativeEpollJarIsAbsent() throws Exception {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !Path.of(entry).getFileName().toString().startsWith(NATIVE_EPOLL_JAR))
        .collect(Collectors.joining(File.pathSeparator));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-cp", classPath, NioOnlyServerMain.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("epoll=false");
      String portLine = out.readLine();
      assertThat(portLine).startsWith("port=");
      int port = Integer.parseInt(portLine.substring("port=".length()));
      try (RawClient c = RawClient.connect(port)) {
        c.get("/events?topic=transport&lastEventID=earliest").readHead();
        assertThat(c.statusLine).isEqualTo("HTTP/1.1 200 OK");
        assertThat(c.awaitBody("served over nio\n\n")).contains("id: #1\ndata: served over nio\n\n");
      }
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(30, TimeUnit.SECONDS)) child.destroyForcibly();
    }
  }
}
