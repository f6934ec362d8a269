package dev.segmentrelay.edge;

import java.util.Random;

/** Test bodies of the edge ITs (working folders come from {@code ItWorkDirs}). */
final class ItWork {
  private ItWork() {}

  /** {@code n} reproducible pseudo-random bytes (a stand-in segment body). */
  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
