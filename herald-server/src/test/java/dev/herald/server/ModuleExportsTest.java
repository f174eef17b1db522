package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The module descriptor the jar ships: module {@code dev.herald.server} exports its API package
 * and nothing else; its internals stay in {@code dev.herald.server.internal}.
 */
class ModuleExportsTest {
  @Test
  void exportsOnlyTheApiPackage() throws Exception {
    // Where the main classes are (target/classes, or the jar), read as the module path reads it.
    Path classes = Path.of(HeraldServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor module = ModuleFinder.of(classes).findAll().stream()
        .map(ModuleReference::descriptor).findFirst().orElseThrow();
    assertThat(module.isAutomatic()).as("a module-info, not an automatic module").isFalse();
    assertThat(module.name()).isEqualTo("dev.herald.server");
    assertThat(module.exports()).extracting(Exports::source).containsExactly("dev.herald.server");
    assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).as("qualified export").isFalse());
    assertThat(module.opens()).isEmpty();
    // Every other package is internal (dev.herald.server.internal or a package under it).
    assertThat(module.packages()).as("every package of the module").contains("dev.herald.server.internal")
        .allSatisfy(p -> assertThat(p).matches("dev\\.herald\\.server(\\.internal(\\..+)?)?"));
  }
}
