package dev.herald.protocol;

import java.util.Random;

/** Feeds a stream in reads of random sizes, mostly tiny, sometimes larger. */
final class Chunks {
  private Chunks() {}

  static void feedRandomly(EventStreamParser parser, byte[] stream, Random random) {
    int at = 0;
    while (at < stream.length) {
      int bound = Math.min(stream.length - at, random.nextBoolean() ? 4 : 64);
      int n = 1 + random.nextInt(bound);
      parser.feed(stream, at, n);
      at += n;
    }
  }
}
