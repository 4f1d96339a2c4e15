package io.trustlens.explain.gradient;

/** A gradient method that differentiates at the row itself: one input per row, the row. */
interface OneInputPerRow extends GradientMethod {

  @Override
  default int inputsPerRow() {
    return 1;
  }

  @Override
  default void inputs(double[] x, long key, double[] dest, int offset) {
    System.arraycopy(x, 0, dest, offset, x.length);
  }
}
