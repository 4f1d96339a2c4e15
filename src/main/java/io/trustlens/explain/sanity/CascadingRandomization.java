package io.trustlens.explain.sanity;

import io.trustlens.feature.RowSeeds;
import io.trustlens.model.TorchScriptModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Cascading parameter randomization (Adebayo et al. 2018, arXiv 1810.03292, section 3.1): the
 * module's layers re-initialised one after another from the output down, each with PyTorch's
 * default draw for its kind, uniform on ±1/√fan_in (fan_in: the inputs of one output unit, the
 * product of a weight's shape after its first dimension; a layer's biases use its weight's).
 *
 * <p>A layer is the parameters that share a name up to its last dot ({@code conv1.weight} and
 * {@code conv1.bias} are {@code conv1}), in the module's order. Invariants: a parameter's new
 * values depend on the seed and its name alone, so the module with its top k layers randomized is
 * the same whichever task, executor or order produced it; layers below the top k keep their trained
 * values.
 */
public final class CascadingRandomization {
  private final Map<String, List<String>> layers = new LinkedHashMap<>();
  private final Map<String, long[]> shapes;

  /** The layers of a module whose parameters are {@code shapes}, in the module's order. */
  public CascadingRandomization(Map<String, long[]> shapes) {
    this.shapes = shapes;
    for (String name : shapes.keySet()) {
      int dot = name.lastIndexOf('.');
      layers
          .computeIfAbsent(dot < 0 ? name : name.substring(0, dot), k -> new ArrayList<>())
          .add(name);
    }
  }

  /** The layer names from the input to the output. */
  public List<String> layers() {
    return List.copyOf(layers.keySet());
  }

  /** The layers randomized at cascade level {@code k}: the top {@code k}, the output's first. */
  public List<String> top(int k) {
    List<String> names = layers();
    if (k < 0 || k > names.size()) {
      throw new IllegalArgumentException(
          "cascade level " + k + " is outside 0.." + names.size() + " layers " + names);
    }
    List<String> top = new ArrayList<>();
    for (int i = names.size() - 1; i >= names.size() - k; i--) {
      top.add(names.get(i));
    }
    return top;
  }

  /** Re-initialises the top {@code k} layers of {@code copy} (a private copy) with {@code seed}. */
  public void randomizeTop(TorchScriptModel copy, int k, long seed) {
    for (String layer : top(k)) {
      for (String name : layers.get(layer)) {
        copy.overwriteParameter(name, draw(layer, name, seed));
      }
    }
  }

  /** The new values of parameter {@code name} of {@code layer}. */
  float[] draw(String layer, String name, long seed) {
    long size = 1;
    for (long d : shapes.get(name)) {
      size *= d;
    }
    double bound = 1 / Math.sqrt(fanIn(layer, name));
    SplittableRandom random = RowSeeds.random(seed, name.hashCode());
    float[] values = new float[Math.toIntExact(size)];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
    }
    return values;
  }

  private long fanIn(String layer, String name) {
    long[] shape = shapes.get(name);
    if (shape.length < 2) {
      for (String other : layers.get(layer)) {
        if (shapes.get(other).length >= 2) {
          shape = shapes.get(other);
          break;
        }
      }
    }
    if (shape.length < 2) {
      return Math.max(1, shape.length == 0 ? 1 : shape[0]);
    }
    long fan = 1;
    for (int i = 1; i < shape.length; i++) {
      fan *= shape[i];
    }
    return fan;
  }
}
