package io.trustlens.explain.gradient;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.model.TorchScriptCard;
import io.trustlens.model.TorchScriptModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Checks a device (a GPU) against the CPU without Spark: a TorchScript model's saliency and
 * Integrated Gradients (arXiv 1703.01365) maps computed on both, their largest difference relative
 * to each row's largest value, IG's completeness gaps on both, and each device's rows per second.
 * {@code jobs/gpu-check} runs it before the Spark run, so that a broken CUDA build is named on its
 * own.
 *
 * <p>Invariant: both devices see the same rows, keys and methods; only the device differs, so any
 * difference is the device's arithmetic (a GPU sums in another order: differences of about 1e-6 of
 * a map's scale are expected, 1e-4 is the limit). With {@code --threads 2} the device's maps come
 * from two threads sharing its one loaded model, as two Spark tasks sharing a GPU do.
 *
 * <pre>
 * java ... io.trustlens.explain.gradient.DeviceCheck MODEL.pt [--input ROWS.json --column image]
 *     [--rows 512] [--device gpu|gpuK|cpu] [--steps 50] [--repeat 3] [--threads 1]
 * </pre>
 */
public final class DeviceCheck {
  /** The largest map difference, relative to a row's largest value, that passes. */
  public static final double TOLERANCE = 1e-4;

  private DeviceCheck() {}

  /**
   * One method's result: the largest map difference relative to each row's largest value, the
   * largest completeness gap on each device (Integrated Gradients; NaN for other methods) and each
   * device's rows/s.
   */
  public record Result(
      String method,
      int rows,
      double worstDifference,
      double cpuGap,
      double deviceGap,
      double cpuRate,
      double deviceRate) {
    /**
     * Whether the device's maps equal the CPU's within {@link #TOLERANCE} and, for IG, both
     * devices' gaps stay within {@link #GAP_LIMIT}.
     */
    public boolean passes() {
      boolean gaps = Double.isNaN(cpuGap) || (cpuGap <= GAP_LIMIT && deviceGap <= GAP_LIMIT);
      return worstDifference <= TOLERANCE && gaps;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s, %d rows: largest map difference %.2e of the row's largest value%s;"
              + " cpu %,.0f rows/s, device %,.0f rows/s (%.1fx)",
          method,
          rows,
          worstDifference,
          Double.isNaN(cpuGap)
              ? ""
              : String.format(
                  Locale.ROOT,
                  "; largest |ig_gap| / |f(x) - f(baseline)| %.2g on the cpu, %.2g on the device",
                  cpuGap,
                  deviceGap),
          cpuRate,
          deviceRate,
          deviceRate / cpuRate);
    }
  }

  /**
   * The largest Integrated Gradients completeness gap that passes, relative to {@code |f(x) −
   * f(baseline)|} (the 1%, with room for rows whose difference is small).
   */
  public static final double GAP_LIMIT = 0.02;

  /**
   * Compares {@code methods} on {@code rows} rows ({@code n × inputSize}) between the CPU (one
   * thread) and {@code device}, timing the best of {@code repeat} runs on each; the device's maps
   * are computed by {@code threads} threads at once that share its one loaded model, as Spark tasks
   * sharing a GPU do ({@code spark.task.resource.gpu.amount=0.5}: two tasks, one model in the
   * executor's cache).
   */
  public static List<Result> compare(
      Path modelFile,
      Device device,
      double[] rows,
      int n,
      List<GradientMethod> methods,
      int repeat,
      int threads) {
    TorchScriptCard card = TorchScriptCard.readBeside(modelFile);
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = i;
    }
    List<Result> results = new ArrayList<>();
    try (TorchScriptModel cpu = TorchScriptModel.load(modelFile, card, Device.cpu(), true);
        TorchScriptModel other = TorchScriptModel.load(modelFile, card, device, true)) {
      for (GradientMethod method : methods) {
        Timed onCpu = explain(cpu, method, rows, keys, n, repeat, 1);
        Timed onDevice = explain(other, method, rows, keys, n, repeat, threads);
        double worst = 0;
        for (int i = 0; i < n; i++) {
          double[] a = onCpu.maps[i].values();
          double[] b = onDevice.maps[i].values();
          double scale = 1e-12;
          for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
          }
          for (int j = 0; j < a.length; j++) {
            double d = Math.abs(a[j] - b[j]) / scale;
            worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
          }
        }
        results.add(
            new Result(
                method.toString(),
                n,
                worst,
                worstGap(onCpu.maps),
                worstGap(onDevice.maps),
                n / onCpu.seconds,
                n / onDevice.seconds));
      }
    }
    return results;
  }

  /**
   * The largest {@code |gap| / |f(x) − f(baseline)|} over the rows whose difference is at least 1%
   * of the largest (a row whose output barely moves has a meaningless ratio); NaN without gaps, and
   * infinite when a gap is not finite.
   */
  static double worstGap(Attribution[] maps) {
    double largest = 0;
    for (Attribution m : maps) {
      largest = Math.max(largest, Math.abs(m.output() - m.baselineOutput()));
    }
    if (Double.isNaN(maps[0].gap())) {
      return Double.NaN;
    }
    double worst = 0;
    for (Attribution m : maps) {
      double delta = Math.abs(m.output() - m.baselineOutput());
      if (!Double.isFinite(m.gap())) {
        return Double.POSITIVE_INFINITY;
      }
      if (delta >= 0.01 * largest) {
        worst = Math.max(worst, Math.abs(m.gap()) / delta);
      }
    }
    return worst;
  }

  private record Timed(Attribution[] maps, double seconds) {}

  private static Timed explain(
      TorchScriptModel model,
      GradientMethod method,
      double[] rows,
      long[] keys,
      int n,
      int repeat,
      int threads) {
    GradientBatches batches = new GradientBatches(model, method, GradientBatches.PREDICTED);
    int d = model.info().inputSize();
    // Calls of the method's best size, or smaller so that every thread has rows.
    int perCall = Math.min(batches.rowsPerCall(), (n + threads - 1) / Math.max(1, threads));
    Attribution[] maps = new Attribution[n];
    List<Callable<Void>> calls = new ArrayList<>();
    for (int from = 0; from < n; from += perCall) {
      int s = from;
      int m = Math.min(perCall, n - s);
      calls.add(
          () -> {
            io.trustlens.model.TorchSettings.applyToThisThread();
            double[] xs = new double[m * d];
            System.arraycopy(rows, s * d, xs, 0, m * d);
            long[] k = new long[m];
            System.arraycopy(keys, s, k, 0, m);
            Attribution[] part = batches.explain(xs, k, m);
            System.arraycopy(part, 0, maps, s, m);
            return null;
          });
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
    try {
      double best = Double.POSITIVE_INFINITY;
      for (int r = 0; r < Math.max(1, repeat) + 1; r++) { // the first run warms the device up
        long start = System.nanoTime();
        for (Future<Void> call : pool.invokeAll(calls)) {
          call.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (r > 0) {
          best = Math.min(best, seconds);
        }
      }
      return new Timed(maps, best);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          method + " on " + model.device() + ": " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The first {@code n} rows of a JSON-lines file's numeric array column. */
  public static double[] readRows(Path file, String column, int n, int inputSize)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    double[] rows = new double[n * inputSize];
    int i = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null && i < n; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode values = json.readTree(line).get(column);
        if (values == null || !values.isArray() || values.size() != inputSize) {
          throw new IllegalArgumentException(
              file
                  + " line "
                  + (i + 1)
                  + ": column '"
                  + column
                  + "' is not an array of "
                  + inputSize
                  + " numbers");
        }
        for (int j = 0; j < inputSize; j++) {
          rows[i * inputSize + j] = values.get(j).asDouble();
        }
        i++;
      }
    }
    if (i == 0) {
      throw new IllegalArgumentException(file + " holds no rows");
    }
    for (int r = i; r < n; r++) { // fewer rows than asked: repeat them
      System.arraycopy(rows, (r % i) * inputSize, rows, r * inputSize, inputSize);
    }
    return rows;
  }

  /** Uniform random rows in [0, 1), for models without a bundled table. */
  public static double[] randomRows(int n, int inputSize, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] rows = new double[n * inputSize];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = random.nextDouble();
    }
    return rows;
  }

  /** The device named {@code gpu}, {@code gpuK} or {@code cpu}. */
  public static Device device(String name) {
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    if (name.matches("gpu[0-9]*")) {
      return name.length() == 3 ? Device.gpu() : Device.gpu(Integer.parseInt(name.substring(3)));
    }
    throw new IllegalArgumentException("--device is '" + name + "'; expected cpu, gpu or gpuK");
  }

  /** Runs the check; exits 1 when a map differs by more than {@link #TOLERANCE}. */
  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println(
          "usage: DeviceCheck MODEL.pt [--input ROWS.json --column image] [--rows 512]"
              + " [--device gpu] [--steps 50] [--repeat 3] [--threads 1]");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    String input = null;
    String column = "image";
    int n = 512;
    String deviceName = "gpu";
    int steps = IntegratedGradients.DEFAULT_STEPS;
    int repeat = 3;
    int threads = 1;
    for (int a = 1; a < args.length; a += 2) {
      if (a + 1 >= args.length) {
        throw new IllegalArgumentException(args[a] + " needs a value");
      }
      String value = args[a + 1];
      switch (args[a]) {
        case "--input" -> input = value;
        case "--column" -> column = value;
        case "--rows" -> n = Integer.parseInt(value);
        case "--device" -> deviceName = value;
        case "--steps" -> steps = Integer.parseInt(value);
        case "--repeat" -> repeat = Integer.parseInt(value);
        case "--threads" -> threads = Integer.parseInt(value);
        default -> throw new IllegalArgumentException("unknown option " + args[a]);
      }
    }
    Device device = device(deviceName);
    int d = 1;
    for (int size : TorchScriptCard.readBeside(model).inputShape()) {
      d *= size;
    }
    double[] rows = input == null ? randomRows(n, d, 42) : readRows(Path.of(input), column, n, d);
    List<GradientMethod> methods =
        List.of(
            new Saliency("signed"),
            new IntegratedGradients(Baseline.zero(), steps, "gauss_legendre"));
    System.out.printf(
        Locale.ROOT,
        "device-check: %s on cpu (one thread) and %s (%d thread%s), %d rows of %d values%n",
        model,
        device,
        threads,
        threads == 1 ? "" : "s",
        n,
        d);
    boolean ok = true;
    for (Result r : compare(model, device, rows, n, methods, repeat, threads)) {
      System.out.println("device-check: " + r);
      ok &= r.passes();
    }
    System.out.println(
        "device-check: "
            + (ok ? "PASS" : "FAIL")
            + " (limits: map difference "
            + TOLERANCE
            + ", gap "
            + GAP_LIMIT
            + "; oneDNN's instruction set: "
            + io.trustlens.model.TorchSettings.capOneDnn()
            + "; "
            + io.trustlens.model.TorchSettings.TF32_VARIABLE
            + "="
            + io.trustlens.model.TorchSettings.exactFloat32OnGpu()
            + ")");
    System.exit(ok ? 0 : 1);
  }
}
