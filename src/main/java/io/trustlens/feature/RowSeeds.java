package io.trustlens.feature;

import java.util.SplittableRandom;

/** A row's random stream, a function of the run's seed and the row's key alone. */
public final class RowSeeds {
  private RowSeeds() {}

  public static SplittableRandom random(long seed, long key) {
    return new SplittableRandom(mix(seed ^ mix(key + 0x9E3779B97F4A7C15L)));
  }

  /** MurmurHash3's 64-bit finaliser: nearby inputs give unrelated seeds. */
  public static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
