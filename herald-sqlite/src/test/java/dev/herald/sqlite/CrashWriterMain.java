package dev.herald.sqlite;

import dev.herald.protocol.Event;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The victim of {@link SqliteCrashTest}: opens the log in {@code args[0]} and appends until it is
 * killed, keeping up to 256 appends in flight (so batches form), half with their own ids. After an
 * append's stage completes, it prints {@code ack <id> <position> .} and flushes: a line on stdout
 * is a publish the log acknowledged. The trailing dot tells a whole line from one cut by the kill.
 *
 * <p>Lines come out in acknowledgement order: each callback is attached right after its append, so
 * it runs either at once on this thread (already complete, before the next append exists) or on
 * the writer thread, which completes stages in position order.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    SqliteEventLog log = SqliteEventLog.open(Path.of(args[0]), 10_000_000, Duration.ofDays(1));
    Semaphore inFlight = new Semaphore(256);
    for (long n = 0; ; n++) {
      inFlight.acquire();
      Event event = n % 2 == 0
          ? Event.builder().id("own-" + n).data("event " + n).build()
          : Event.named("numbered", "event " + n);
      log.append(List.of("crash/" + n % 4), event, false).whenComplete((stored, error) -> {
        inFlight.release();
        if (error != null) {
          System.err.println("append failed: " + error);
          return;
        }
        synchronized (out) {
          out.print("ack " + stored.id() + " " + stored.position() + " .\n");
          out.flush();
        }
      });
    }
  }
}
