package io.trustlens.model.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.trustlens.model.TorchSettings;

/**
 * A scalar loss of parameters held in the JVM and its gradient by each of them, computed by DJL's
 * PyTorch autograd under libtorch's thread-local grad mode (DJL's gradient collector is one per JVM
 * and would collide with concurrent gradient tasks).
 */
public final class Autograd {
  private Autograd() {}

  /** A loss written with DJL's NDArray operations. */
  @FunctionalInterface
  public interface Loss {
    /**
     * The scalar loss.
     *
     * @param manager where to make any further arrays
     * @param params the parameters, in the order given to {@link #gradients}
     * @param data the minibatch's arrays, in the order given to {@link #gradients}
     */
    NDArray of(NDManager manager, NDList params, NDList data);
  }

  /** A float array with its shape. */
  public record Tensor(float[] values, long... shape) {}

  /**
   * The loss at {@code params} and, written to {@code gradients}, its gradient by each.
   *
   * @param params the parameter values, each with its shape
   * @param data the minibatch (inputs, targets, noise), no gradients
   * @param gradients one array per parameter, the size of its values, overwritten
   */
  public static double gradients(
      double[][] params, long[][] shapes, Tensor[] data, Loss loss, double[][] gradients) {
    TorchSettings.applyDefaults();
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch before any direct native call
    TorchSettings.applyToThisThread();
    boolean wasOn = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDList p = new NDList();
      for (int i = 0; i < params.length; i++) {
        NDArray a = manager.create(toFloats(params[i]), new Shape(shapes[i]));
        JniUtils.attachGradient((PtNDArray) a, true);
        p.add(a);
      }
      NDList d = new NDList();
      for (Tensor t : data) {
        d.add(manager.create(t.values(), new Shape(t.shape())));
      }
      PtNDArray value = (PtNDArray) loss.of(manager, p, d);
      JniUtils.backward(value, (PtNDArray) manager.ones(value.getShape()), false, false);
      for (int i = 0; i < params.length; i++) {
        float[] g =
            JniUtils.getGradient((PtNDArray) p.get(i))
                .toType(DataType.FLOAT32, false)
                .toFloatArray();
        for (int j = 0; j < g.length; j++) {
          gradients[i][j] = g[j];
        }
      }
      return JniUtils.detachGradient(value).toType(DataType.FLOAT64, false).getDouble();
    } finally {
      JniUtils.setGradMode(wasOn);
    }
  }

  private static float[] toFloats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }
}
