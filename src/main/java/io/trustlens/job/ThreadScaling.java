package io.trustlens.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How a model's raw throughput grows from one thread to two on this machine, outside Spark: what
 * {@code local[2]/local[1]} of work that spends its time in the model can be read against. Two
 * threads of convolutions contend for the memory and caches two cores share (measured here: the
 * 64×64 shapes CNN's forward+backward 1.57-1.77 times one thread's, whatever the chunk of 4 to 32
 * rows), so a bench line shows whether an explainer's scaling is its own or the machine's. A figure
 * of about a second a round, it is as noisy as the machine.
 */
final class ThreadScaling {
  private ThreadScaling() {}

  /**
   * Two threads' rows/s over one thread's, each thread making {@code calls} calls of {@code call}
   * (which must be safe to run on two threads at once, as on an executor's task threads); the best
   * of three rounds of each.
   */
  static double twoOverOne(Runnable call, int calls) {
    call.run();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      double one = 0;
      double two = 0;
      for (int round = 0; round < 3; round++) {
        one = Math.max(one, rate(pool, call, calls, 1));
        two = Math.max(two, rate(pool, call, calls, 2));
      }
      return two / one;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * The calls of {@code rows} rows each that take about a second at {@code rowsPerSecond} (at least
   * 4).
   */
  static int callsPerSecond(double rowsPerSecond, int rows) {
    return (int) Math.max(4, Math.min(100_000, rowsPerSecond / rows));
  }

  /** The bench line of a raw case's ratio. */
  static String line(String rawCase, double ratio) {
    return String.format(
        Locale.ROOT,
        "2 threads  %s: %.2fx one thread's (the model alone, outside Spark)",
        rawCase,
        ratio);
  }

  private static double rate(ExecutorService pool, Runnable call, int calls, int threads) {
    List<Future<?>> running = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      running.add(
          pool.submit(
              () -> {
                for (int c = 0; c < calls; c++) {
                  call.run();
                }
              }));
    }
    try {
      for (Future<?> f : running) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while measuring", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a measured call failed: " + e.getCause(), e.getCause());
    }
    return (double) threads * calls / ((System.nanoTime() - t0) / 1e9);
  }
}
