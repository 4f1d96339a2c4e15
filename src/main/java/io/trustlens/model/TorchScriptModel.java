package io.trustlens.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript model scored through DJL's PyTorch engine, one batch per call.
 *
 * <p>Loaded once per JVM and device by {@link ModelCache}; calls from several task threads share
 * the module, each with its own native memory scope. Rows are scored in fixed-size chunks so that
 * outputs do not depend on how rows were batched.
 */
public final class TorchScriptModel
    implements BatchModel, DifferentiableModel, MonteCarloModel, AutoCloseable {
  /**
   * Most rows per forward call. libtorch's float kernels give a row bits that depend on the batch's
   * shape, so every call runs the same number of rows, {@link #batchRows()} (the last chunk
   * padded): a row's outputs are then the same whatever batch or partition it arrives in. 1,024
   * rows of the 30-feature MLP score 1.6 times as fast per row as 256 (DJL's fixed cost per call is
   * then a sixth of the time, not two fifths) and scale better over task threads.
   */
  static final int MAX_CHUNK = 1024;

  /**
   * Input values per chunk at most (512 KB of floats): large inputs such as images get fewer rows,
   * so that a chunk's activations stay in the CPU's caches. Measured forward+backward on one thread
   * (libtorch 2.7.1): the 64×64 shapes CNN ran 2,100 rows/s in chunks of 16 to 64 rows and 173 in
   * chunks of 1,024; the 16×16 one 22,000 rows/s at 128 to 512 rows and 8,100 at 1,024; the 8×8
   * digits CNN 36,000 at 256 to 1,024.
   */
  static final int CHUNK_VALUES = 1 << 17;

  private final Model model;
  private final ModelInfo info;
  private final Device device;
  private final TorchScriptCard card;
  private final int chunk;
  private final boolean differentiable;
  private final ThreadLocal<float[]> chunkBuffer = ThreadLocal.withInitial(() -> new float[0]);
  private final ThreadLocal<float[]> noiseBuffer = ThreadLocal.withInitial(() -> new float[0]);
  private NDList parameters;

  private TorchScriptModel(
      Model model, ModelInfo info, Device device, TorchScriptCard card, boolean differentiable) {
    this(model, info, device, card, differentiable, chunkRows(info.inputSize()));
  }

  private TorchScriptModel(
      Model model,
      ModelInfo info,
      Device device,
      TorchScriptCard card,
      boolean differentiable,
      int chunk) {
    this.model = model;
    this.info = info;
    this.device = device;
    this.card = card;
    this.chunk = chunk;
    this.differentiable = differentiable;
  }

  /**
   * The same module called in fixed chunks of {@code rows} rows (at most this model's own): for
   * callers with few rows per call, such as activation maximization's handful of targets, which
   * would otherwise pad every call to {@link #batchRows()}. Its rows' bits are fixed as well, but
   * may differ in the last bits from this model's. It shares the module: never close it.
   */
  @Override
  public TorchScriptModel withBatchRows(int rows) {
    int fixed = Math.max(1, Math.min(rows, chunk));
    return fixed == chunk
        ? this
        : new TorchScriptModel(model, info, device, card, differentiable, fixed);
  }

  /**
   * Rows per forward call for inputs of {@code inputSize} values: the largest power of two up to
   * {@link #MAX_CHUNK} whose inputs fit in {@link #CHUNK_VALUES}. It depends on the model alone.
   */
  static int chunkRows(int inputSize) {
    return Math.max(1, Math.min(MAX_CHUNK, Integer.highestOneBit(CHUNK_VALUES / inputSize)));
  }

  /** Rows per forward call (see {@link #MAX_CHUNK}): callers that batch fill whole ones. */
  @Override
  public int batchRows() {
    return chunk;
  }

  /** The card the model was loaded with. */
  public TorchScriptCard card() {
    return card;
  }

  /**
   * Loads a TorchScript file.
   *
   * @param file the {@code .pt} file
   * @param card its card: input shape, output meaning and names
   * @param device where to run it
   * @throws InvalidModelException when the file is missing or not a TorchScript module
   */
  public static TorchScriptModel load(Path file, TorchScriptCard card, Device device) {
    return load(file, card, device, false);
  }

  /**
   * Loads a TorchScript file, for {@link #gradients} when {@code differentiable}: its parameters
   * are then ordinary tensors (not inference tensors, which cannot be saved for backward) that
   * require no gradient of their own, and the module is put in eval mode once, here, because the
   * mode is shared by every thread that calls it.
   */
  public static TorchScriptModel load(
      Path file, TorchScriptCard card, Device device, boolean differentiable) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidModelException("TorchScript model file not found: " + file);
    }
    TorchSettings.applyDefaults();
    requireCuda(device, file);
    Model model = Model.newInstance(file.getFileName().toString(), device, "PyTorch");
    try {
      model.load(
          file.toAbsolutePath(), null, differentiable ? Map.of("trainParam", "true") : Map.of());
      if (differentiable) {
        PtSymbolBlock block = (PtSymbolBlock) model.getBlock();
        JniUtils.enableInferenceMode(block); // module.eval(): dropout off, BatchNorm frozen
        for (NDArray p : JniUtils.moduleGetParams(block, (PtNDManager) model.getNDManager())) {
          JniUtils.attachGradient((PtNDArray) p, false); // no weight gradients: inputs only
        }
      }
    } catch (IOException | MalformedModelException | EngineException e) {
      model.close();
      throw new InvalidModelException(
          "cannot load " + file + " as a TorchScript model: " + firstLine(e.getMessage()), e);
    }
    ModelInfo info =
        new ModelInfo(
            file.toString(),
            "TorchScript",
            card.inputShape(),
            card.outputs(),
            card.kind(),
            EnumSet.of(Capability.DIFFERENTIABLE));
    return new TorchScriptModel(model, info, device, card, differentiable);
  }

  /**
   * Checks, for a GPU, that the libtorch DJL loaded has CUDA's part (a {@code torch_cuda} library
   * in its folder): DJL's CPU natives, this build's default, have none, and without this check a
   * task that Spark gave a GPU fails with libtorch's list of every backend an operator has.
   *
   * @throws InvalidModelException naming the device, the libtorch folder and the ways out
   */
  static void requireCuda(Device device, Path file) {
    if (!device.isGpu()) {
      return;
    }
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch
    Path folder = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
    boolean cuda;
    try (var files = Files.list(folder)) {
      cuda = files.anyMatch(f -> f.getFileName().toString().contains("torch_cuda"));
    } catch (IOException e) {
      return; // an unreadable folder: let libtorch itself say what it can do
    }
    if (!cuda) {
      throw new InvalidModelException(
          "cannot run "
              + file.getFileName()
              + " on "
              + device
              + ": the libtorch this JVM loaded ("
              + folder
              + ") has no CUDA part; build with -Pgpu (DJL's CUDA natives) or point"
              + " PYTORCH_LIBRARY_PATH at a CUDA libtorch (README: GPU), or run without GPUs"
              + " (spark.executor.resource.gpu.amount)");
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /**
   * The module's parameters by name ({@code conv1.weight}, ...), in the module's order; loaded
   * once. Only a copy outside {@link ModelCache} may have them changed ({@link
   * #overwriteParameter}).
   */
  public java.util.LinkedHashMap<String, long[]> parameters() {
    java.util.LinkedHashMap<String, long[]> shapes = new java.util.LinkedHashMap<>();
    for (NDArray p : parameterArrays()) {
      shapes.put(p.getName(), p.getShape().getShape());
    }
    return shapes;
  }

  /**
   * Overwrites the parameter {@code name} in place with {@code values} (row-major, its size): the
   * sanity checks' randomization of a private copy. Never call it on a model from {@link
   * ModelCache}: other tasks share that module.
   */
  public void overwriteParameter(String name, float[] values) {
    for (NDArray p : parameterArrays()) {
      if (p.getName().equals(name)) {
        if (p.size() != values.length) {
          throw new IllegalArgumentException(
              name + " has " + p.size() + " values; got " + values.length);
        }
        // In place through ordinary tensor operations (the parameter needs no gradient);
        // NDArray.set would go through a deprecated libtorch mode that prints a warning.
        try (NDManager scope = model.getNDManager().newSubManager()) {
          p.muli(0).addi(scope.create(values, p.getShape()));
        }
        return;
      }
    }
    throw new IllegalArgumentException(
        info.location() + " has no parameter " + name + "; it has " + parameters().keySet());
  }

  private synchronized NDList parameterArrays() {
    if (parameters == null) {
      parameters =
          JniUtils.moduleGetParams(
              (PtSymbolBlock) model.getBlock(), (PtNDManager) model.getNDManager());
    }
    return parameters;
  }

  /** Frees the native module; only for models outside {@link ModelCache}. */
  @Override
  public void close() {
    model.close();
  }

  /** The device the model runs on. */
  public Device device() {
    return device;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public Scores score(double[] inputs, int rows) {
    double[] outputs = outputs(inputs, rows);
    int w = info.outputSize();
    double[] predictions = new double[rows];
    for (int i = 0; i < rows; i++) {
      predictions[i] = info.kind().predict(outputs, i * w, w);
    }
    return new Scores(outputs, predictions, w);
  }

  /** The outputs alone: explainers need no predicted class per perturbation. */
  @Override
  public double[] outputs(double[] inputs, int rows) {
    int w = info.outputSize();
    double[] outputs = new double[rows * w];
    float[] buffer = buffer();
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      float[] raw = forward(buffer, chunk);
      if (raw.length != chunk * w) {
        throw new InvalidModelException(
            info.location()
                + " returned "
                + raw.length / chunk
                + " outputs per row, but its card names "
                + w);
      }
      for (int i = 0; i < n * w; i++) {
        outputs[start * w + i] = raw[i];
      }
    }
    return outputs;
  }

  /** This thread's input chunk: explainers score many chunks per row, each would be a new array. */
  private float[] buffer() {
    float[] buffer = chunkBuffer.get();
    if (buffer.length != chunk * info.inputSize()) {
      buffer = new float[chunk * info.inputSize()];
      chunkBuffer.set(buffer);
    }
    return buffer;
  }

  /**
   * Copies the chunk of rows from {@code start} into {@code buffer} as floats, zeros after them.
   */
  private int fill(float[] buffer, double[] inputs, int start, int rows) {
    int d = info.inputSize();
    int n = Math.min(chunk, rows - start);
    int offset = start * d;
    for (int i = 0; i < n * d; i++) {
      buffer[i] = (float) inputs[offset + i];
    }
    java.util.Arrays.fill(buffer, n * d, buffer.length, 0f);
    return n;
  }

  /** Runs the module's forward on {@code rows} rows of float inputs; returns outputs flat. */
  public float[] forward(float[] values, int rows) {
    TorchSettings.applyToThisThread();
    try (NDManager manager = model.getNDManager().newSubManager(device)) {
      NDArray x = manager.create(values, new Shape(dims(rows)));
      NDList out =
          model.getBlock().forward(new ParameterStore(manager, false), new NDList(x), false);
      return out.get(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }
  }

  /**
   * Outputs and input gradients in the fixed chunks {@link #score} uses, so that a row's bits do
   * not depend on its batch. Each chunk runs under libtorch's thread-local grad mode (DJL's
   * gradient collector is one per JVM and would collide between concurrent tasks) and back-
   * propagates the sum of every row's target output: rows do not interact in an eval-mode module,
   * so each row's input gradient is that of its own target.
   *
   * @throws IllegalStateException when this copy was not loaded for gradients
   */
  @Override
  public Gradients gradients(double[] inputs, int rows, int[] targets) {
    return gradients(inputs, rows, targets, false);
  }

  /**
   * The gradient of each row's largest output in one pass per chunk: the mask is chosen from the
   * pass's own outputs (the same bits as {@link #outputs}), so no forward-only pass comes first.
   */
  @Override
  public Gradients gradientsOfLargest(double[] inputs, int rows) {
    return gradients(inputs, rows, null, true);
  }

  private Gradients gradients(double[] inputs, int rows, int[] targets, boolean largest) {
    requireDifferentiable();
    int d = info.inputSize();
    int w = info.outputSize();
    double[] outputs = new double[rows * w];
    double[] gradients = new double[rows * d];
    float[] buffer = buffer();
    float[] mask = new float[chunk * w];
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      if (!largest) {
        oneHot(mask, targets, start, n);
      }
      float[][] chunkResult = backward(buffer, largest ? null : mask);
      float[] out = chunkResult[0];
      float[] grad = chunkResult[1];
      if (out.length != chunk * w) {
        throw new InvalidModelException(
            info.location()
                + " returned "
                + out.length / chunk
                + " outputs per row, but its card names "
                + w);
      }
      for (int i = 0; i < n * w; i++) {
        outputs[start * w + i] = out[i];
      }
      for (int i = 0; i < n * d; i++) {
        gradients[start * d + i] = grad[i];
      }
    }
    return new Gradients(outputs, gradients, w);
  }

  /**
   * One chunk's forward outputs and the gradient of the masked sum of them by the input; a null
   * mask picks each row's largest output (the first on ties) from this pass's outputs.
   */
  private float[][] backward(float[] values, float[] mask) {
    TorchSettings.applyToThisThread();
    boolean wasOn = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try (NDManager manager = model.getNDManager().newSubManager(device)) {
      PtNDArray x = (PtNDArray) manager.create(values, new Shape(dims(chunk)));
      JniUtils.attachGradient(x, true);
      NDList out = IValueUtils.forward((PtSymbolBlock) model.getBlock(), new NDList(x), true);
      PtNDArray y = (PtNDArray) out.get(0);
      float[] chosen = mask != null ? mask : largestOnes(toFloats(y), (int) y.getShape().get(1));
      NDArray weights = manager.create(chosen, y.getShape());
      PtNDArray total = (PtNDArray) y.mul(weights).sum();
      JniUtils.backward(total, (PtNDArray) manager.ones(total.getShape()), false, false);
      float[] grad = JniUtils.getGradient(x).toType(DataType.FLOAT32, false).toFloatArray();
      float[] outputs = JniUtils.detachGradient(y).toType(DataType.FLOAT32, false).toFloatArray();
      return new float[][] {outputs, grad};
    } catch (EngineException e) {
      throw new InvalidModelException(
          info.location() + " cannot be differentiated: " + firstLine(e.getMessage()), e);
    } finally {
      JniUtils.setGradMode(wasOn);
    }
  }

  @Override
  public Gradients guidedGradients(double[] inputs, int rows, int[] targets) {
    requireDifferentiable();
    requireMethods(
        "guided_backprop",
        "guided_backprop(x, weights): the guided backpropagation map of sum(weights * outputs)");
    int d = info.inputSize();
    int w = info.outputSize();
    double[] outputs = outputs(inputs, rows);
    double[] maps = new double[rows * d];
    float[] buffer = buffer();
    float[] mask = new float[chunk * w];
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      oneHot(mask, targets, start, n);
      float[] map;
      try (NDManager manager = model.getNDManager().newSubManager(device)) {
        NDArray x = manager.create(buffer, new Shape(dims(chunk)));
        NDArray weights = manager.create(mask, new Shape(chunk, w));
        map = toFloats(call(manager, "guided_backprop", false, x, weights));
      }
      for (int i = 0; i < n * d; i++) {
        maps[start * d + i] = map[i];
      }
    }
    return new Gradients(outputs, maps, w);
  }

  @Override
  public LayerGradients layerGradients(String layer, double[] inputs, int rows, int[] targets) {
    requireDifferentiable();
    String activations = layer + "_activations";
    String head = "from_" + layer;
    requireMethods(activations, activations + "(x): the layer's activations");
    requireMethods(head, head + "(a): the outputs computed from those activations");
    int w = info.outputSize();
    double[] outputs = new double[rows * w];
    double[] acts = null;
    double[] grads = null;
    int[] shape = null;
    int size = 0;
    float[] buffer = buffer();
    float[] mask = new float[chunk * w];
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      oneHot(mask, targets, start, n);
      TorchSettings.applyToThisThread();
      boolean wasOn = JniUtils.isGradMode();
      try (NDManager manager = model.getNDManager().newSubManager(device)) {
        NDArray x = manager.create(buffer, new Shape(dims(chunk)));
        JniUtils.setGradMode(true);
        NDArray a = call(manager, activations, true, x); // not an inference tensor: it is copied

        if (shape == null) {
          long[] s = a.getShape().getShape();
          shape = new int[s.length - 1];
          size = 1;
          for (int k = 1; k < s.length; k++) {
            shape[k - 1] = (int) s[k];
            size *= shape[k - 1];
          }
          acts = new double[rows * size];
          grads = new double[rows * size];
        }
        PtNDArray leaf = (PtNDArray) a.duplicate(); // a leaf of its own, so .grad is kept
        JniUtils.attachGradient(leaf, true);
        PtNDArray y = (PtNDArray) call(manager, head, true, leaf);
        PtNDArray total = (PtNDArray) y.mul(manager.create(mask, y.getShape())).sum();
        JniUtils.backward(total, (PtNDArray) manager.ones(total.getShape()), false, false);
        float[] g = toFloats(JniUtils.getGradient(leaf));
        float[] av = toFloats(a);
        float[] out = toFloats(JniUtils.detachGradient(y));
        for (int i = 0; i < n * size; i++) {
          acts[start * size + i] = av[i];
          grads[start * size + i] = g[i];
        }
        for (int i = 0; i < n * w; i++) {
          outputs[start * w + i] = out[i];
        }
      } catch (EngineException e) {
        throw new InvalidModelException(
            info.location() + " cannot differentiate " + head + ": " + firstLine(e.getMessage()),
            e);
      } finally {
        JniUtils.setGradMode(wasOn);
      }
    }
    return new LayerGradients(outputs, acts, grads, shape, w);
  }

  /**
   * Per row the mean activation of channel {@code units[i]} of the exported layer (over its spatial
   * positions, or the unit itself for a flat layer) and its gradient by the input, in the fixed
   * chunks of {@link #gradients}: activation maximization's objective for a unit.
   */
  @Override
  public Gradients unitGradients(String layer, double[] inputs, int rows, int[] units) {
    requireDifferentiable();
    String activations = layer + "_activations";
    requireMethods(activations, activations + "(x): the layer's activations");
    int d = info.inputSize();
    double[] values = new double[rows];
    double[] gradients = new double[rows * d];
    float[] buffer = buffer();
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      TorchSettings.applyToThisThread();
      boolean wasOn = JniUtils.isGradMode();
      JniUtils.setGradMode(true);
      try (NDManager manager = model.getNDManager().newSubManager(device)) {
        PtNDArray x = (PtNDArray) manager.create(buffer, new Shape(dims(chunk)));
        JniUtils.attachGradient(x, true);
        NDArray a = call(manager, activations, true, x);
        long[] shape = a.getShape().getShape();
        int channels = (int) shape[1];
        int plane = (int) (a.getShape().size() / (shape[0] * channels));
        float[] mask = new float[chunk * channels * plane];
        for (int i = 0; i < n; i++) {
          int unit = units[start + i];
          if (unit < 0 || unit >= channels) {
            throw new IllegalArgumentException(
                layer + " has " + channels + " units (channels); unit " + unit + " is outside");
          }
          java.util.Arrays.fill(
              mask, (i * channels + unit) * plane, (i * channels + unit + 1) * plane, 1f / plane);
        }
        NDArray objective = a.mul(manager.create(mask, a.getShape()));
        PtNDArray total = (PtNDArray) objective.sum();
        JniUtils.backward(total, (PtNDArray) manager.ones(total.getShape()), false, false);
        float[] grad = toFloats(JniUtils.getGradient(x));
        float[] perRow =
            toFloats(
                JniUtils.detachGradient(
                    (PtNDArray) objective.reshape(chunk, -1).sum(new int[] {1})));
        for (int i = 0; i < n; i++) {
          values[start + i] = perRow[i];
        }
        for (int i = 0; i < n * d; i++) {
          gradients[start * d + i] = grad[i];
        }
      } catch (EngineException e) {
        throw new InvalidModelException(
            info.location()
                + " cannot differentiate "
                + activations
                + ": "
                + firstLine(e.getMessage()),
            e);
      } finally {
        JniUtils.setGradMode(wasOn);
      }
    }
    return new Gradients(values, gradients, 1);
  }

  /** Outputs and the exported {@code attention(x)} weights, in this model's fixed chunks. */
  @Override
  public Attention attention(double[] inputs, int rows) {
    requireMethods(
        "attention",
        "attention(x): every layer's attention weights, (N, layers, heads, tokens, tokens)");
    double[] outputs = outputs(inputs, rows);
    double[] weights = null;
    int[] shape = null;
    int size = 0;
    float[] buffer = buffer();
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      TorchSettings.applyToThisThread();
      try (NDManager manager = model.getNDManager().newSubManager(device)) {
        NDArray a =
            call(manager, "attention", false, manager.create(buffer, new Shape(dims(chunk))));
        long[] s = a.getShape().getShape();
        if (s.length != 5 || s[3] != s[4]) {
          throw new InvalidModelException(
              info.location()
                  + " attention(x) returned the shape "
                  + a.getShape()
                  + "; expected (N, layers, heads, tokens, tokens)");
        }
        if (shape == null) {
          shape = new int[] {(int) s[1], (int) s[2], (int) s[3], (int) s[4]};
          size = shape[0] * shape[1] * shape[2] * shape[3];
          weights = new double[rows * size];
        }
        float[] values = toFloats(a);
        for (int i = 0; i < n * size; i++) {
          weights[start * size + i] = values[i];
        }
      }
    }
    return new Attention(outputs, weights, shape, info.outputSize());
  }

  /** The number of units (channels) of the exported layer's activations. */
  public int units(String layer) {
    String activations = layer + "_activations";
    requireMethods(activations, activations + "(x): the layer's activations");
    try (NDManager manager = model.getNDManager().newSubManager(device)) {
      NDArray x = manager.zeros(new Shape(dims(1)));
      return (int) call(manager, activations, false, x).getShape().get(1);
    }
  }

  /**
   * Calls the exported {@code method} on {@code inputs} through DJL's forward, whose first, {@code
   * module_method:}-named array picks the method (DJL's own convention); {@code grad} lifts the
   * inference-mode guard so that autograd can record the call.
   */
  private NDArray call(NDManager manager, String method, boolean grad, NDArray... inputs) {
    NDArray selector = manager.create(0f);
    selector.setName("module_method:" + method);
    NDList list = new NDList(selector);
    list.addAll(java.util.Arrays.asList(inputs));
    try {
      return IValueUtils.forward((PtSymbolBlock) model.getBlock(), list, grad).get(0);
    } catch (EngineException e) {
      throw new InvalidModelException(
          info.location() + " cannot run method '" + method + "': " + firstLine(e.getMessage()), e);
    }
  }

  private void requireDifferentiable() {
    if (!differentiable) {
      throw new IllegalStateException(info.location() + " was loaded without gradients");
    }
  }

  private void requireMethods(String method, String what) {
    if (!card.methods().contains(method)) {
      throw new InvalidModelException(
          info.location()
              + " does not export "
              + what
              + "; its card lists the methods "
              + card.methods());
    }
  }

  private void oneHot(float[] mask, int[] targets, int start, int n) {
    int w = info.outputSize();
    java.util.Arrays.fill(mask, 0f);
    for (int i = 0; i < n; i++) {
      int t = targets[start + i];
      if (t < 0 || t >= w) {
        throw new IllegalArgumentException("output " + t + " is outside 0.." + (w - 1));
      }
      mask[i * w + t] = 1f;
    }
  }

  /** A one-hot mask of each row's largest output (the first on ties), rows of {@code w}. */
  private static float[] largestOnes(float[] outputs, int w) {
    float[] mask = new float[outputs.length];
    for (int i = 0; i < outputs.length; i += w) {
      int best = 0;
      for (int k = 1; k < w; k++) {
        if (outputs[i + k] > outputs[i + best]) {
          best = k;
        }
      }
      mask[i + best] = 1f;
    }
    return mask;
  }

  private static float[] toFloats(NDArray array) {
    return array.toType(DataType.FLOAT32, false).toFloatArray();
  }

  /**
   * Runs another method the module exports (such as {@code forward_mc}, one Monte Carlo dropout
   * draw with the module still in eval, or {@code embed}) on {@code rows} rows.
   *
   * @throws InvalidModelException when the module has no such method
   */
  public float[] runMethod(String method, float[] values, int rows) {
    TorchSettings.applyToThisThread();
    try (NDManager manager = model.getNDManager().newSubManager(device)) {
      NDArray x = manager.create(values, new Shape(dims(rows)));
      try (IValue in = IValue.from((PtNDArray) x);
          IValue out = IValueUtils.runMethod((PtSymbolBlock) model.getBlock(), method, in)) {
        return out.toTensor((PtNDManager) manager)
            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
            .toFloatArray();
      } catch (EngineException e) {
        throw new InvalidModelException(
            info.location() + " cannot run method '" + method + "': " + firstLine(e.getMessage()),
            e);
      }
    }
  }

  @Override
  public int noiseSize() {
    return card.mcNoise();
  }

  /**
   * One Monte Carlo dropout pass per row through the exported {@code forward_mc(x, noise)}, in the
   * fixed chunks {@link #score} uses, so that a row's pass depends on its input and noise alone.
   *
   * @throws InvalidModelException when the module does not export it (see {@link #checkMonteCarlo})
   */
  @Override
  public double[] passes(double[] inputs, float[] noise, int rows) {
    checkMonteCarlo(card, info.location());
    int w = info.outputSize();
    int u = card.mcNoise();
    double[] outputs = new double[rows * w];
    float[] buffer = buffer();
    float[] noiseChunk = noiseBuffer.get();
    if (noiseChunk.length != chunk * u) {
      noiseChunk = new float[chunk * u];
      noiseBuffer.set(noiseChunk);
    }
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      System.arraycopy(noise, start * u, noiseChunk, 0, n * u);
      java.util.Arrays.fill(noiseChunk, n * u, noiseChunk.length, 0f);
      float[] raw;
      TorchSettings.applyToThisThread();
      try (NDManager manager = model.getNDManager().newSubManager(device)) {
        NDArray x = manager.create(buffer, new Shape(dims(chunk)));
        NDArray z = manager.create(noiseChunk, new Shape(chunk, u));
        raw = toFloats(call(manager, "forward_mc", false, x, z));
      }
      if (raw.length != chunk * w) {
        throw new InvalidModelException(
            info.location()
                + " returned "
                + raw.length / chunk
                + " outputs per row from forward_mc, but its card names "
                + w);
      }
      for (int i = 0; i < n * w; i++) {
        outputs[start * w + i] = raw[i];
      }
    }
    return outputs;
  }

  /**
   * Fails unless the card declares Monte Carlo dropout: {@code forward_mc} among its methods and
   * {@code mc_noise}, the noise numbers per row that {@code forward_mc(x, noise)} takes.
   */
  public static void checkMonteCarlo(TorchScriptCard card, String location) {
    if (!card.methods().contains("forward_mc") || card.mcNoise() <= 0) {
      throw new InvalidModelException(
          location
              + " does not declare Monte Carlo dropout: the module must export forward_mc(x,"
              + " noise), noise being (N, mc_noise) uniform [0, 1) numbers that keep a unit where"
              + " noise >= p (scaled by 1 / (1 - p)), and its card must list forward_mc in"
              + " methods and give mc_noise; its card lists the methods "
              + card.methods()
              + (card.mcNoise() > 0 ? "" : " and no mc_noise"));
    }
  }

  /**
   * Runs {@code method} on {@code rows} rows in the fixed chunks {@link #score} uses (so a row's
   * result does not depend on its batch), returning {@code rows × width} values flat.
   */
  public float[] runMethodChunked(String method, double[] inputs, int rows) {
    float[] buffer = buffer();
    float[] out = null;
    int width = 0;
    for (int start = 0; start < rows; start += chunk) {
      int n = fill(buffer, inputs, start, rows);
      float[] raw =
          method.equals("forward") ? forward(buffer, chunk) : runMethod(method, buffer, chunk);
      if (out == null) {
        width = raw.length / chunk;
        out = new float[rows * width];
      }
      System.arraycopy(raw, 0, out, start * width, n * width);
    }
    return out == null ? new float[0] : out;
  }

  private long[] dims(int rows) {
    long[] dims = new long[info.inputShape().length + 1];
    dims[0] = rows;
    for (int i = 0; i < info.inputShape().length; i++) {
      dims[i + 1] = info.inputShape()[i];
    }
    return dims;
  }

  /** A card for a module without one: flat input, outputs named by position. */
  public static TorchScriptCard defaultCard(int inputSize, int outputs, OutputKind kind) {
    String[] names = new String[outputs];
    for (int k = 0; k < outputs; k++) {
      names[k] = "output_" + k;
    }
    return new TorchScriptCard(
        new int[] {inputSize}, kind, List.of(names), List.of(), List.of(), 0);
  }
}
