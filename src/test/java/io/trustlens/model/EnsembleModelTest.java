package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnsembleModelTest {

  /** A model whose outputs are fixed linear functions of the inputs, for known answers. */
  private static BatchModel linear(String name, double[] weights, OutputKind kind, int outputs) {
    ModelInfo info =
        new ModelInfo(
            name,
            "Fake",
            new int[] {weights.length},
            outputs == 1 ? List.of("y") : List.of("a", "b"),
            kind,
            EnumSet.noneOf(Capability.class));
    return new BatchModel() {
      @Override
      public ModelInfo info() {
        return info;
      }

      @Override
      public Scores score(double[] inputs, int rows) {
        int d = weights.length;
        double[] out = new double[rows * outputs];
        double[] pred = new double[rows];
        for (int i = 0; i < rows; i++) {
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += weights[j] * inputs[i * d + j];
          }
          if (outputs == 1) {
            out[i] = s;
          } else {
            out[i * 2 + 1] = s;
          }
          pred[i] = kind.predict(out, i * outputs, outputs);
        }
        return new Scores(out, pred, outputs);
      }
    };
  }

  @Test
  void regressionEnsembleAveragesMembers() {
    EnsembleModel e =
        new EnsembleModel(
            List.of(
                linear("m1", new double[] {1, 0}, OutputKind.REGRESSION, 1),
                linear("m2", new double[] {0, 3}, OutputKind.REGRESSION, 1)));
    Scores s = e.score(new double[] {2, 4, -2, 0}, 2);
    assertArrayEquals(new double[] {7, -1}, s.outputs(), 1e-12);
    assertArrayEquals(new double[] {7, -1}, s.predictions(), 1e-12);
    assertTrue(e.info().location().contains("m1") && e.info().location().contains("m2"));
  }

  @Test
  void logitMembersAreAveragedAsProbabilities() {
    EnsembleModel e =
        new EnsembleModel(
            List.of(
                linear("m1", new double[] {1}, OutputKind.LOGIT, 2),
                linear("m2", new double[] {-1}, OutputKind.LOGIT, 2)));
    Scores s = e.score(new double[] {Math.log(3)}, 1);
    // sigmoid(ln 3) = 0.75 and sigmoid(-ln 3) = 0.25 average to one half each.
    assertArrayEquals(new double[] {0.5, 0.5}, s.outputs(), 1e-12);
  }

  @Test
  void membersThatReadOtherInputsAreRejected() {
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class,
            () ->
                new EnsembleModel(
                    List.of(
                        linear("m1", new double[] {1}, OutputKind.REGRESSION, 1),
                        linear("m2", new double[] {1, 1}, OutputKind.REGRESSION, 1))));
    assertTrue(e.getMessage().contains("m2 reads 2 features"), e.getMessage());
  }
}
