package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The keys of an {@code explain} task in an audit spec, and only those: why the model predicted
 * each row: Shapley values, gradients, occlusion, LIME, explanations by design, sanity checks of
 * saliency maps or activation maximization. A key of another task type is unknown here, so a spec
 * naming one fails with its line. Unset keys are null and the task's defaults apply; a key set for
 * a method that does not use it is an error ({@link ExplainKeys}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ExplainSpec extends AuditSpec.Task {
  /** A task of type explain. */
  public ExplainSpec() {
    type = "explain";
  }

  /**
   * kernel (default), exact, permutation, linear, tree, tree_interventional, a gradient method
   * (saliency, smoothgrad, integrated_gradients, guided_backprop, grad_cam, attention_rollout,
   * class_attention), occlusion, lime, linear_terms, tree_rules, nearest_examples,
   * prototype_attention, sanity_checks or activation_maximization.
   */
  public String method;

  /** coalitions (kernel), orders (permutation) or noisy copies (smoothgrad); default per method. */
  public Integer samples;

  /** rows to sample (100), kmeans:K, or the path of a background table. */
  public String background;

  /** auto (default), predicted, all, or a class index or output name. */
  public String target;

  /** ids of rows to draw as waterfalls in the report. */
  public List<String> waterfallRows;

  /**
   * saliency: absolute (default), signed or input_x_gradient; smoothgrad: mean (default) or
   * squared.
   */
  public String variant;

  /** smoothgrad: noise sigma over each row's input range (default 0.15). */
  public Double noise;

  /** integrated_gradients: points on the path (default 50). */
  public Integer steps;

  /** integrated_gradients: gauss_legendre (default) or trapezoid. */
  public String rule;

  /**
   * integrated_gradients: zero (default), mean (of the input table's features) or blur (each image
   * blurred).
   */
  public String baseline;

  /** grad_cam: the layer L whose L_activations and from_L methods the module exports. */
  public String layer;

  /** occlusion: the patch's side in pixels (default an eighth of the shorter side). */
  public Integer patch;

  /** occlusion: pixels between patch positions (default half the patch). */
  public Integer stride;

  /**
   * occlusion: what occluded values become: zero (default), constant (fill_value), mean (images:
   * each image's mean per channel; tables: each feature's mean over the input) or blur (images).
   */
  public String fill;

  /** occlusion with fill constant: the value. */
  public Double fillValue;

  /** occlusion of text: also occlude runs of up to this many words (default 1). */
  public Integer ngrams;

  /**
   * sanity_checks: the gradient methods whose maps are checked (default saliency, smoothgrad,
   * integrated_gradients, and guided_backprop and grad_cam where the module exports them).
   */
  public List<String> compare;

  /**
   * sanity_checks: the name in {@code models} of the same network trained on permuted labels (the
   * data randomization check); unset: that check is skipped, with a warning.
   */
  public String permutedModel;

  /** sanity_checks: the rows whose maps are compared (default 32). */
  public Integer rows;

  /**
   * activation_maximization: what each picture maximizes, an output's name or index or {@code
   * LAYER:UNIT} (a channel of an exported layer); default every output.
   */
  public List<String> targets;

  /**
   * activation_maximization: each step's mean absolute change as a share of the input range
   * (default 0.02).
   */
  public Double rate;

  /**
   * activation_maximization: L2 decay, the share by which each step pulls the picture towards the
   * middle of the input range (default 0.01).
   */
  public Double decay;

  /** activation_maximization: the largest random roll per step in pixels (default 1). */
  public Integer jitter;

  /**
   * activation_maximization: the blur's standard deviation in pixels, every 4 steps (default 0.5;
   * 0: none).
   */
  public Double blurSigma;

  /** lime: quartile (default, lime's) or none (numeric features as scaled values). */
  public String discretize;

  /**
   * lime on tables: per_row (default: each row draws its own samples) or shared (one draw for every
   * row).
   */
  public String neighbourhood;

  /** lime on images: grid:CELL or slic:K (default slic:50). */
  public String superpixels;

  /** lime: the kernel's width (default 0.75 sqrt(features)). */
  public Double kernelWidth;

  /** lime: none (default), highest_weights or lasso. */
  public String selection;

  /** lime with selection highest_weights or lasso: the features kept (default 10). */
  public Integer keep;

  /**
   * nearest_examples and prototype_attention: the training table (a path) examples and prototypes
   * come from; it holds the input's columns, the id and the label.
   */
  public String examples;

  /**
   * nearest_examples and prototype_attention: the TorchScript method whose outputs rows are
   * compared in (embed, or another the module exports); unset: the features the model reads.
   */
  public String embedding;

  /** prototype_attention: kmeans:K (default kmeans:20), rows:N or class_means. */
  public String prototypes;

  /** prototype_attention: dot (default: ⟨f(x), f(p)⟩) or neg_squared_distance. */
  public String similarity;

  /** nearest_examples: neighbours per row (default 10). */
  public Integer neighbours;

  /** nearest_examples: auto (default), exact or approximate neighbour search. */
  public String search;

  /** nearest_examples: divide each feature by its standard deviation before measuring distance. */
  public Boolean scale;

  /**
   * nearest_examples: the share of the examples held out to calibrate the credibility score
   * (default 0.2).
   */
  public Double calibrationFraction;

  @Override
  public String method() {
    return method;
  }
}
