package dev.herald.bench.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** The byte streams the parser benchmarks read: built once, deterministic, about 1 MiB each. */
final class Streams {
  static final int TARGET_BYTES = 1 << 20;

  private Streams() {}

  /**
   * A realistic feed: many small JSON events (about 100-200 bytes each) with an id and a type,
   * like price ticks or chat messages, with the occasional keep-alive comment.
   */
  static byte[] smallJsonEvents() {
    Random random = new Random(42);
    String[] types = {"tick", "trade", "quote", "heartbeat"};
    ByteArrayOutputStream out = new ByteArrayOutputStream(TARGET_BYTES + 512);
    for (int id = 1; out.size() < TARGET_BYTES; id++) {
      StringBuilder e = new StringBuilder(200);
      if (id % 50 == 0) e.append(": keep-alive\n\n");
      e.append("id: ").append(id).append('\n');
      e.append("event: ").append(types[random.nextInt(types.length)]).append('\n');
      e.append("data: {\"symbol\":\"").append(symbol(random)).append("\",\"price\":")
          .append(random.nextInt(100_000) / 100.0).append(",\"size\":").append(random.nextInt(10_000))
          .append(",\"ts\":").append(1_700_000_000_000L + id * 17L)
          .append(",\"venue\":\"XNAS\",\"flags\":[\"regular\",\"odd-lot\"]")
          .append(",\"seq\":").append(id).append("}\n\n");
      out.writeBytes(e.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  /** Large events: 64 KiB each, spread over many data lines of pretty-printed JSON. */
  static byte[] largeMultiLineEvents() {
    Random random = new Random(7);
    ByteArrayOutputStream out = new ByteArrayOutputStream(TARGET_BYTES + 70_000);
    for (int id = 1; out.size() < TARGET_BYTES; id++) {
      StringBuilder e = new StringBuilder(70_000);
      e.append("id: ").append(id).append("\nevent: snapshot\ndata: [\n");
      int start = e.length();
      while (e.length() - start < 64 * 1024) {
        e.append("data:   {\"symbol\": \"").append(symbol(random)).append("\", \"bid\": ")
            .append(random.nextInt(100_000) / 100.0).append(", \"ask\": ")
            .append(random.nextInt(100_000) / 100.0).append(", \"volume\": ")
            .append(random.nextInt(1_000_000)).append("},\n");
      }
      e.append("data: ]\n\n");
      out.writeBytes(e.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static String symbol(Random random) {
    char[] s = new char[3 + random.nextInt(2)];
    for (int i = 0; i < s.length; i++) s[i] = (char) ('A' + random.nextInt(26));
    return new String(s);
  }
}
