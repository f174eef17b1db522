package dev.herald.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Linux {@code /proc} readings: one CPU's busy ticks, a process's resident set and CPU time. */
final class Proc {
  /** USER_HZ: /proc/stat and /proc/PID/stat count in these ticks (100 per second on Linux). */
  static final long TICKS_PER_SECOND = 100;

  private Proc() {}

  /**
   * Busy ticks of one CPU: user + nice + system + irq + softirq (idle, iowait and steal left out),
   * or -1 when the line is missing.
   */
  static long cpuBusyTicks(int cpu) {
    String prefix = "cpu" + cpu + " ";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (!line.startsWith(prefix)) continue;
        String[] f = line.trim().split("\\s+");
        // cpuN user nice system idle iowait irq softirq steal ...
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
            + Long.parseLong(f[6]) + Long.parseLong(f[7]);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** VmRSS of a process in bytes, or -1. */
  static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** utime + stime of a process (all its threads), in ticks, or -1. */
  static long processTicks(long pid) {
    long[] t = processUserSystemTicks(pid);
    return t == null ? -1 : t[0] + t[1];
  }

  /** {utime, stime} of a process (all its threads), in ticks, or null. */
  static long[] processUserSystemTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name may hold spaces: fields count from after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
