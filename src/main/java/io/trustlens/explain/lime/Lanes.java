package io.trustlens.explain.lime;

/**
 * Which of the JDK's vector instructions ({@code jdk.incubator.vector}, which Spark's own JVM
 * options add) this JVM runs as such. LIME's loops that use them ({@link WeightedGramLanes}, {@link
 * DrawLanes}) give the same bits as their plain Java, so the choice changes speed only; {@code
 * -Dtrustlens.vectors=false} makes it plain Java.
 */
final class Lanes {
  private Lanes() {}

  /**
   * Whether 256-bit vectors of doubles and longs run as instructions: the module is readable, the
   * optimising compiler runs and the CPU has 256-bit vectors.
   */
  static final boolean VECTORS = vectorsUsable();

  /**
   * Whether, beyond {@link #VECTORS}, the CPU multiplies 64-bit lanes in one instruction (x86's
   * AVX-512, {@code vpmullq}). {@link SplitMix#fill}'s mix took 0.21 ns a draw with it and 0.74 in
   * plain Java; under {@code -XX:UseAVX=2} (AVX2, each lane's product made of 32-bit halves) the
   * vector mix took 0.74 too, so it runs only here.
   */
  static final boolean LONG_MULTIPLY = VECTORS && vmOption("UseAVX", 0) >= 3;

  private static boolean vectorsUsable() {
    if (!Boolean.parseBoolean(System.getProperty("trustlens.vectors", "true"))
        || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()
        || !optimisingCompiler()) {
      return false;
    }
    try {
      return WeightedGramLanes.usable();
    } catch (LinkageError e) { // the module present but not readable from here
      return false;
    }
  }

  /**
   * Whether this HotSpot JVM compiles hot code with its optimising compiler (C2), which alone turns
   * vector operations into instructions: under {@code -XX:TieredStopAtLevel=1} (the quick compiler
   * only) or {@code -Xint} each operation is an object, and LIME's continuous sums ran 40 times
   * slower than in plain Java.
   */
  static boolean optimisingCompiler() {
    boolean compiles = vmOption("UseCompiler", 0) == 1;
    boolean tiered = vmOption("TieredCompilation", 1) == 1;
    return compiles && (!tiered || vmOption("TieredStopAtLevel", 0) >= 4);
  }

  /**
   * A HotSpot option's value as a number ({@code true} 1, {@code false} 0), or {@code absent} where
   * the JVM is not HotSpot or has no such option (the CPU is not x86, for {@code UseAVX}).
   */
  private static int vmOption(String name, int absent) {
    try {
      com.sun.management.HotSpotDiagnosticMXBean hotSpot =
          java.lang.management.ManagementFactory.getPlatformMXBean(
              com.sun.management.HotSpotDiagnosticMXBean.class);
      if (hotSpot == null) {
        return absent;
      }
      String value = hotSpot.getVMOption(name).getValue();
      return switch (value) {
        case "true" -> 1;
        case "false" -> 0;
        default -> Integer.parseInt(value);
      };
    } catch (RuntimeException | LinkageError e) { // not HotSpot, or no such option
      return absent;
    }
  }
}
