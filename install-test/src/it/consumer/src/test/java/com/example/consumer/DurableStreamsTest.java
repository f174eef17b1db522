package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.EventSource;
import dev.herald.client.MessageEvent;
import dev.herald.client.MessageStream;
import dev.herald.protocol.Event;
import dev.herald.server.HeraldServer;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Herald as an application gets it from a local repository filled by {@code mvn install}: on the
 * module path, with the API packages exported and nothing else, without the native epoll library,
 * and with sources and Javadoc beside each jar.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DurableStreamsTest {
  private static final String VERSION = System.getProperty("herald.version");

  @TempDir Path data;

  @Test
  void anEventKeptInTheSqliteLogIsReplayedToAJavaEventSource() throws Exception {
    try (HeraldServer server = DurableStreams.start(data)) {
      server.broker().publish("news", Event.named("headline", "kept on disk")).toCompletableFuture().get();
      try (MessageStream stream = EventSource.builder(
          URI.create("http://127.0.0.1:" + server.port() + "/events?topic=news"))
          .lastEventId("earliest").buildStream(16)) {
        MessageEvent event = stream.next();
        assertThat(event.type()).isEqualTo("headline");
        assertThat(event.data()).isEqualTo("kept on disk");
        assertThat(event.lastEventId()).isEqualTo("#1");
      }
    }
  }

  @Test
  void heraldRunsAsNamedModulesExportingOnlyTheirApiPackages() {
    Module server = HeraldServer.class.getModule();
    assertThat(server.isNamed()).as("on the module path").isTrue();
    assertThat(server.getName()).isEqualTo("dev.herald.server");
    assertThat(server.getDescriptor().exports())
        .extracting(ModuleDescriptor.Exports::source).containsExactly("dev.herald.server");
    assertThat(server.getPackages()).contains("dev.herald.server.internal");
    assertThat(server.isExported("dev.herald.server.internal", DurableStreamsTest.class.getModule())).isFalse();
  }

  @Test
  void theNativeEpollLibraryIsNotForcedOnTheApplication() {
    Optional<Module> nativeEpoll = ModuleLayer.boot().findModule("io.netty.transport.epoll.linux.x86_64");
    assertThat(nativeEpoll).as("the linux-x86_64 native jar, an optional dependency of herald-server").isEmpty();
    assertThat(ModuleLayer.boot().findModule("io.netty.transport.classes.epoll")).isPresent();
  }

  @Test
  void everyNettyJarIsInTheNettyVersionHeraldWasBuiltWith() throws Exception {
    // io.netty.util.Version reads every Netty jar's META-INF/io.netty.versions.properties; called
    // reflectively because this application does not require Netty itself.
    Map<?, ?> versions = (Map<?, ?>) Class.forName("io.netty.util.Version").getMethod("identify").invoke(null);
    assertThat(versions.keySet()).map(Object::toString).contains("netty-common", "netty-transport", "netty-codec-http", "netty-resolver-dns");
    for (Map.Entry<?, ?> entry : versions.entrySet()) {
      Object version = entry.getValue().getClass().getMethod("artifactVersion").invoke(entry.getValue());
      assertThat(version).as("version of %s", entry.getKey()).isEqualTo(System.getProperty("herald.netty.version"));
    }
  }

  @Test
  void everyModuleWasInstalledWithItsPomSourcesAndJavadoc() {
    Path repository = Path.of(System.getProperty("consumer.localRepository"));
    for (String module : new String[] {"herald-protocol", "herald-client", "herald-server", "herald-redis", "herald-sqlite"}) {
      Path dir = repository.resolve("dev/herald/" + module + "/" + VERSION);
      for (String suffix : new String[] {".pom", ".jar", "-sources.jar", "-javadoc.jar"}) {
        assertThat(dir.resolve(module + "-" + VERSION + suffix)).as("installed").isRegularFile();
      }
    }
    assertThat(repository.resolve("dev/herald/herald-bom/" + VERSION + "/herald-bom-" + VERSION + ".pom")).isRegularFile();
    assertThat(repository.resolve("dev/herald/herald-parent/" + VERSION + "/herald-parent-" + VERSION + ".pom")).isRegularFile();
  }
}
