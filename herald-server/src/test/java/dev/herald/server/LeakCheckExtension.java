package dev.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class if Netty's leak detector (at PARANOID in these tests) reports a buffer that
 * was never released. Registered for every test class through the ServiceLoader; installs its
 * detector factory before the first buffer class is loaded.
 */
public final class LeakCheckExtension implements AfterAllCallback {
  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  static {
    ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
      @Override
      @SuppressWarnings("deprecation")
      public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
        return new ResourceLeakDetector<T>(resource, samplingInterval, maxActive) {
          @Override
          protected void reportTracedLeak(String type, String records) {
            LEAKS.add(type + records);
            super.reportTracedLeak(type, records);
          }

          @Override
          protected void reportUntracedLeak(String type) {
            LEAKS.add(type);
            super.reportUntracedLeak(type);
          }
        };
      }
    });
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    // Leaks are found when a collected buffer's tracker is polled, on a later allocation.
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50); // let the reference queue fill; this is GC timing, not test synchronisation
      for (int i = 0; i < 100; i++) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        b.release();
      }
    }
    assertThat(LEAKS).as("Netty buffers leaked in " + context.getDisplayName()).isEmpty();
  }
}
