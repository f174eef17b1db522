package dev.herald.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Fails a test when anything blocked on a Netty event-loop thread (Netty's own BlockHound
 * integration says which threads those are) while it ran. BlockHound is installed before the first
 * test by its JUnit platform listener, which loads this integration through the ServiceLoader; the
 * error BlockHound throws on the loop would only close a connection or be logged, so every detection
 * is also recorded, and {@link BlockingCallsCheck} checks after each test (the herald-hub tests
 * too, through the test jar). That check refers to no BlockHound type, so modules that use the test
 * jar without BlockHound (the servlet adapter, the Spring starter) still load it.
 *
 * <p>Allowed below, each with why it cannot block.
 */
public final class EventLoopBlockingCheck implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    // A test that holds a loop on purpose (to fill its fan-out queue) says so by calling this.
    builder.allowBlockingCallsInside(EventLoopBlockingCheck.class.getName(), "holdLoopOnPurpose");
    // SecureRandom's next bytes (UUID.randomUUID, for a subscription id) read /dev/urandom, which never
    // blocks on Linux once the kernel's pool is initialised (long before a server starts). Seeding
    // (generateSeed, /dev/random) stays flagged.
    builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes");
    // Netty's adaptive allocator (channel.alloc()) takes a magazine's StampedLock when it grows its
    // magazines under contention between loops: held by other loops for one allocation, never for I/O.
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    builder.blockingMethodCallback(method -> {
      BlockingOperationError error = new BlockingOperationError(method);
      StringBuilder where = new StringBuilder(Thread.currentThread().getName() + ": " + error.getMessage());
      for (StackTraceElement e : error.getStackTrace()) where.append("\n    at ").append(e);
      BlockingCallsCheck.DETECTED.add(where.toString());
      throw error;
    });
  }

  /** Blocks the calling event loop until {@code release} opens (or 10 s): for tests of a busy loop only. */
  static void holdLoopOnPurpose(CountDownLatch release) throws InterruptedException {
    release.await(10, TimeUnit.SECONDS);
  }
}
