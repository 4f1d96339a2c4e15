package io.trustlens.explain.lime;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The LIME sampler's block loops with the JDK's vector instructions, four 64-bit lanes a step: its
 * draws ({@link SplitMix#fill}) and its indicators ({@link Neighbourhood#setWhereEqual(int, int,
 * int, long[], int)}). Loaded only where {@link Lanes#VECTORS} found {@code jdk.incubator.vector};
 * integer operations, so the same bits as the plain Java by construction.
 */
final class DrawLanes {
  private DrawLanes() {}

  private static final VectorSpecies<Long> FOUR = LongVector.SPECIES_256;

  private static final long[] FIRST_FOUR = {1, 2, 3, 4};

  /**
   * {@link SplitMix#fill}: lane {@code l} of step {@code s} mixes state {@code + (4s + l + 1)γ}.
   */
  static long fill(long state, long[] out, int n) {
    int steps = n & ~3;
    LongVector z = LongVector.fromArray(FOUR, FIRST_FOUR, 0).mul(SplitMix.GAMMA).add(state);
    LongVector step = LongVector.broadcast(FOUR, 4 * SplitMix.GAMMA);
    for (int i = 0; i < steps; i += 4) {
      LongVector m = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30));
      m = m.mul(SplitMix.M1);
      m = m.lanewise(VectorOperators.XOR, m.lanewise(VectorOperators.LSHR, 27)).mul(SplitMix.M2);
      m.lanewise(VectorOperators.XOR, m.lanewise(VectorOperators.LSHR, 31)).intoArray(out, i);
      z = z.add(step);
    }
    state += steps * SplitMix.GAMMA;
    for (int i = steps; i < n; i++) {
      state += SplitMix.GAMMA;
      out[i] = SplitMix.mix(state);
    }
    return state;
  }

  /** {@code bits[from + i] |= bit} where {@code drawn[i] == own}, {@code i < n}. */
  static void orWhereEqual(long[] bits, int from, long[] drawn, int n, long own, long bit) {
    int steps = n & ~3;
    LongVector ones = LongVector.broadcast(FOUR, bit);
    LongVector zeros = LongVector.zero(FOUR);
    for (int i = 0; i < steps; i += 4) {
      LongVector hit =
          zeros.blend(ones, LongVector.fromArray(FOUR, drawn, i).compare(VectorOperators.EQ, own));
      LongVector.fromArray(FOUR, bits, from + i).or(hit).intoArray(bits, from + i);
    }
    for (int i = steps; i < n; i++) {
      bits[from + i] |= drawn[i] == own ? bit : 0;
    }
  }
}
