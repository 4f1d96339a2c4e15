package io.trustlens.explain.lime;

/**
 * SplitMix64 (Steele, Lea and Flood 2014, "Fast Splittable Pseudorandom Number Generators", OOPSLA,
 * doi:10.1145/2660193.2660195): the generator of {@link java.util.SplittableRandom}, whose state a
 * sampling loop keeps in a local variable. A {@code SplittableRandom} keeps its state in a field,
 * and a loop that draws from one stores and reloads it at every draw: a chain of dependent memory
 * operations that cost LIME's quartile sampler 1.6 ns of its 10.1 a value (two draws each).
 *
 * <p>Use: {@code state = random.nextLong()} from the row's stream, then {@code state += GAMMA; bits
 * = mix(state)} for each draw, or a block's draws at once ({@link #fill}).
 */
final class SplitMix {
  /** The golden-ratio increment {@code SplittableRandom} uses for a stream of its own. */
  static final long GAMMA = 0x9e3779b97f4a7c15L;

  private SplitMix() {}

  /** The multipliers of {@link #mix}. */
  static final long M1 = 0xbf58476d1ce4e5b9L;

  static final long M2 = 0x94d049bb133111ebL;

  /** 64 random bits from the state {@code z} (Stafford's variant 13 of MurmurHash3's finaliser). */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * M1;
    z = (z ^ (z >>> 27)) * M2;
    return z ^ (z >>> 31);
  }

  /**
   * The stream's next {@code n} draws into {@code out}: {@code state += GAMMA; out[i] = mix(state)}
   * for each; returns the state after them. Four a step with vector instructions where the CPU
   * multiplies 64-bit lanes ({@link Lanes#LONG_MULTIPLY}), else one by one: the same bits.
   */
  static long fill(long state, long[] out, int n) {
    if (Lanes.LONG_MULTIPLY) {
      return DrawLanes.fill(state, out, n);
    }
    for (int i = 0; i < n; i++) {
      state += GAMMA;
      out[i] = mix(state);
    }
    return state;
  }
}
