package io.trustlens.explain;

import java.util.Locale;

/**
 * What one row's explanation may hold in memory inside a task: model-agnostic methods build per-row
 * structures that grow with the players (Kernel SHAP's least-squares system, {@code M²}; the
 * permutation method's coalition chains, {@code orders·M²}; LIME's design matrix), so a table of
 * 100,000 features would exhaust any executor. A method whose row would hold more than {@link
 * #MAX_BYTES} is refused before any work, with the size it would need and what to use instead.
 */
public final class RowMemory {
  /** The most one row's explanation may hold: 128 MiB (executors run several tasks at once). */
  public static final long MAX_BYTES = 128L << 20;

  private RowMemory() {}

  /**
   * Fails when {@code bytes} (what method {@code method} holds per row for {@code players} players,
   * mostly {@code what}) pass {@link #MAX_BYTES}.
   */
  public static void require(String method, int players, double bytes, String what) {
    if (bytes <= MAX_BYTES) {
      return;
    }
    throw new IllegalArgumentException(
        String.format(
            Locale.ROOT,
            "method %s over %,d players would hold %s per row (%s); the limit is %s per row:"
                + " explain fewer features (or groups of them), or use a method that grows"
                + " linearly with them: linear (linear models), tree (MLlib trees) or a gradient"
                + " method (TorchScript models)",
            method,
            players,
            size(bytes),
            what,
            size(MAX_BYTES)));
  }

  /** {@code bytes} in MiB or GiB, one decimal. */
  static String size(double bytes) {
    double mib = bytes / (1L << 20);
    return mib < 1024
        ? String.format(Locale.ROOT, "%.1f MiB", mib)
        : String.format(Locale.ROOT, "%.1f GiB", mib / 1024);
  }
}
