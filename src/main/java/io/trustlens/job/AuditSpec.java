package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An audit: the input table, the models by name, the tasks in order and the output directory. Keys
 * are snake_case in YAML ({@code on_invalid}, {@code output_format}); see {@code conf/demo.yaml}.
 * Commands such as {@code score} build a one-task spec from their options.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class AuditSpec {
  /** Task types this version runs. */
  public static final List<String> TASK_TYPES =
      List.of("score", "profile", "data", "explain", "explore", "uncertainty");

  public String name = "audit";
  public Input input;
  public Map<String, String> models = new LinkedHashMap<>();
  public String output;
  public String outputFormat = "parquet";
  public Long seed = 42L;
  public List<Task> tasks = new ArrayList<>();

  /** A previous run to compare with, and thresholds on the change; null: none. */
  public Baseline baseline;

  /** A previous run's output folder and the largest change this run may show against it. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Baseline {
    /** The earlier run's output folder (its summary.json is read). */
    public String path;

    /** The largest relative change of any figure both runs report (a threshold). */
    public Double maxChange;

    /** The smallest Spearman correlation of an explain task's importance ranks (a threshold). */
    public Double minRankCorrelation;

    @Override
    public boolean equals(Object o) {
      return o instanceof Baseline b
          && Objects.equals(path, b.path)
          && Objects.equals(maxChange, b.maxChange)
          && Objects.equals(minRankCorrelation, b.minRankCorrelation);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path);
    }
  }

  /** The table and the roles of its columns. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Input {
    public String path;
    public String format;
    public String id;
    public String label;
    public List<String> features;
    public String vector;
    public String image;
    public String imageShape;
    public Integer partitions;
    public String onInvalid = "error";

    @Override
    public boolean equals(Object o) {
      return o instanceof Input i
          && Objects.equals(path, i.path)
          && Objects.equals(format, i.format)
          && Objects.equals(id, i.id)
          && Objects.equals(label, i.label)
          && Objects.equals(features, i.features)
          && Objects.equals(vector, i.vector)
          && Objects.equals(image, i.image)
          && Objects.equals(imageShape, i.imageShape)
          && Objects.equals(partitions, i.partitions)
          && Objects.equals(onInvalid, i.onInvalid);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, id, label, features, vector);
    }
  }

  /** One task and its parameters; which keys apply depends on the type. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Task {
    /** score, profile (short for data with method profile), data, explain, explore, uncertainty. */
    public String type;

    /** The name of the task's output table (default: the type, or predictions for score). */
    public String name;

    /** score, explain, uncertainty, explore: the model's name in {@code models}. */
    public String model;

    /** score and uncertainty: rows per model call. */
    public Integer batchSize;

    /** profile, data profile and missing: the largest share of null or NaN values in a column. */
    public Double maxMissingFraction;

    /**
     * explain: exact, kernel (default), permutation, linear, tree, tree_interventional, saliency,
     * smoothgrad or integrated_gradients.
     */
    public String method;

    /**
     * explain: coalitions (kernel), orders (permutation) or noisy copies (smoothgrad); default per
     * method.
     */
    public Integer samples;

    /** explain: rows to sample (100), kmeans:K, or the path of a background table. */
    public String background;

    /** explain: auto (default), predicted, all, or a class index or output name. */
    public String target;

    /** explain: ids of rows to draw as waterfalls in the report. */
    public List<String> waterfallRows;

    /**
     * explain saliency: absolute (default), signed or input_x_gradient; smoothgrad: mean (default)
     * or squared.
     */
    public String variant;

    /** explain smoothgrad: noise sigma over each row's input range (default 0.15). */
    public Double noise;

    /** explain integrated_gradients: points on the path (default 50). */
    public Integer steps;

    /** explain integrated_gradients: gauss_legendre (default) or trapezoid. */
    public String rule;

    /**
     * explain integrated_gradients: zero (default), mean (of the input table's features) or blur
     * (each image blurred).
     */
    public String baseline;

    /** explain grad_cam: the layer L whose L_activations and from_L methods the module exports. */
    public String layer;

    /** explain occlusion: the patch's side in pixels (default an eighth of the shorter side). */
    public Integer patch;

    /** explain occlusion: pixels between patch positions (default half the patch). */
    public Integer stride;

    /**
     * explain occlusion: what occluded values become: zero (default), constant (fill_value), mean
     * (images: each image's mean per channel; tables: each feature's mean over the input) or blur
     * (images).
     */
    public String fill;

    /** explain occlusion with fill constant: the value. */
    public Double fillValue;

    /** explain occlusion of text: also occlude runs of up to this many words (default 1). */
    public Integer ngrams;

    /**
     * explain sanity_checks: the gradient methods whose maps are checked (default saliency,
     * smoothgrad, integrated_gradients, and guided_backprop and grad_cam where the module exports
     * them).
     */
    public List<String> compare;

    /**
     * explain sanity_checks: the name in {@code models} of the same network trained on permuted
     * labels (the data randomization check); unset: that check is skipped, with a warning.
     */
    public String permutedModel;

    /** explain sanity_checks: the rows whose maps are compared (default 32). */
    public Integer rows;

    /**
     * explain activation_maximization: what each picture maximizes, an output's name or index or
     * {@code LAYER:UNIT} (a channel of an exported layer); default every output.
     */
    public List<String> targets;

    /**
     * explain activation_maximization: each step's mean absolute change as a share of the input
     * range (default 0.02).
     */
    public Double rate;

    /**
     * explain activation_maximization: L2 decay, the share by which each step pulls the picture
     * towards the middle of the input range (default 0.01).
     */
    public Double decay;

    /** explain activation_maximization: the largest random roll per step in pixels (default 1). */
    public Integer jitter;

    /**
     * explain activation_maximization: the blur's standard deviation in pixels, every 4 steps
     * (default 0.5; 0: none).
     */
    public Double blurSigma;

    /** explain lime: quartile (default, lime's) or none (numeric features as scaled values). */
    public String discretize;

    /** explain lime on images: grid:CELL or slic:K (default slic:50). */
    public String superpixels;

    /** explain lime: the kernel's width (default 0.75 sqrt(features)). */
    public Double kernelWidth;

    /** explain lime: none (default), highest_weights or lasso. */
    public String selection;

    /** explain lime with selection highest_weights or lasso: the features kept (default 10). */
    public Integer keep;

    /**
     * explain nearest_examples and prototype_attention: the training table (a path) examples and
     * prototypes come from; it holds the input's columns, the id and the label.
     */
    public String examples;

    /**
     * explain nearest_examples and prototype_attention: the TorchScript method whose outputs rows
     * are compared in (embed, or another the module exports); unset: the features the model reads.
     */
    public String embedding;

    /** explain prototype_attention: kmeans:K (default kmeans:20), rows:N or class_means. */
    public String prototypes;

    /** explain prototype_attention: dot (default: ⟨f(x), f(p)⟩) or neg_squared_distance. */
    public String similarity;

    /** explore: components (pca, default min(10, columns)) or map dimensions (mds, 2). */
    public Integer components;

    /** explore pca: divide each column by its standard deviation (default false). */
    public Boolean scale;

    /** explore pca: auto (default), exact or randomized. */
    public String solver;

    /** explore tsne: perplexity (default 30). */
    public Double perplexity;

    /** explore tsne: iterations after the 250 exaggerated ones (default 500). */
    public Integer iterations;

    /** explore tsne: reduce to this many principal components first (default 50; 0: no). */
    public Integer pcaDims;

    /**
     * explore tsne: the most rows the driver maps (default 1,000,000); a larger table's other rows
     * are placed among their nearest mapped rows.
     */
    public Integer mapRows;

    /** explore knn: neighbours per row (default 10). */
    public Integer neighbours;

    /** explore tsne and knn: auto (default), exact or approximate neighbour search. */
    public String search;

    /** explore mds: landmark rows (default 2000; a smaller table gets classical MDS). */
    public Integer landmarks;

    /** explore mds: euclidean (default), manhattan or cosine. */
    public String metric;

    /** explore: the column that colours the map's points (default: the label, if any). */
    public String colour;

    /** explore: a numeric column that sizes the map's points. */
    public String size;

    /** explore: a column whose values pick the map's marker shapes. */
    public String shape;

    /**
     * explore: error (default) refuses constant feature columns; ignore lets them pass (they add
     * nothing). An embedding's dead units are ignored unless this says error.
     */
    public String constantColumns;

    /** explore: rows drawn in the report's plots (default 3000; a seeded sample). */
    public Integer plotSample;

    /** uncertainty: temperature (default), platt, isotonic or none. */
    public String calibrator;

    /** uncertainty: bins of the reliability diagrams (default 15). */
    public Integer bins;

    /** uncertainty: equal_width (default) or equal_mass bins. */
    public String binning;

    /**
     * uncertainty: the share of labelled rows that fit the calibrator and the conformal threshold
     * (default 0.5); the other rows measure them.
     */
    public Double calibrationFraction;

    /** uncertainty: the conformal miscoverage alpha (default 0.1). */
    public Double alpha;

    /** uncertainty: the conformal score, lac (default) or aps; absolute for regressions; none. */
    public String conformal;

    /** uncertainty: the largest held-out ECE of the final probabilities (a threshold). */
    public Double maxEce;

    /** uncertainty: the smallest held-out conformal coverage (a threshold). */
    public Double minCoverage;

    /**
     * uncertainty: Monte Carlo dropout passes per row, T (one TorchScript model that exports
     * forward_mc(x, noise)); unset: no Monte Carlo dropout.
     */
    public Integer mcDropout;

    /**
     * uncertainty: fit a Bayesian neural network (Bayes by Backprop) to the reference rows' label
     * and add the spread of its weight samples per row (bnn_* columns).
     */
    public Boolean bayesianNetwork;

    /**
     * uncertainty: explain every ensemble member (tree, kernel or permutation) and add the spread
     * of their Shapley values per row and player, with a flag where they dispute a sign.
     */
    public String explanationSpread;

    /** uncertainty: fit an autoencoder and score each row's reconstruction error (novelty). */
    public Boolean autoencoder;

    /** uncertainty: a saved autoencoder (an earlier run's autoencoder/) to score with. */
    public String autoencoderModel;

    /**
     * uncertainty: the table the autoencoder learns (the training data; same columns); unset: the
     * input itself, with a warning.
     */
    public String reference;

    /** uncertainty: the training errors' percentile beyond which a row is unfamiliar (99). */
    public Double noveltyPercentile;

    /** uncertainty: the largest share of unfamiliar rows (a threshold). */
    public Double maxUnfamiliar;

    /**
     * data missing: group columns missingness is tested against besides the label; data fairness:
     * the sensitive columns (one, or two for their intersection too).
     */
    public List<String> sensitive;

    /**
     * data missing and fairness: levels kept per grouping (default 50); the rest are pooled, with a
     * warning.
     */
    public Integer maxGroups;

    /** data profile: the most frequent values listed per column; missing: patterns (default 10). */
    public Integer top;

    /**
     * data fairness: the positive class, as the label and the prediction hold it (default 1); its
     * probability is the model's output of that index.
     */
    public String positive;

    /**
     * data fairness: a column of the input that already holds predicted classes (a scored table);
     * instead of a model.
     */
    public String prediction;

    /**
     * data fairness: an explain output (a path, or the name of an earlier explain task of the
     * audit) whose Shapley values give the share of attribution the sensitive columns carry; data
     * drift: the current table's explanations, compared with reference_explanations' importance
     * ranking.
     */
    public String explanations;

    /** data drift: the reference table's explain output (a path or an earlier task's name). */
    public String referenceExplanations;

    /** data profile: the largest share of rows that repeat an earlier row (a threshold). */
    public Double maxDuplicateRows;

    /**
     * data missing: the largest difference of a column's missing rate between the label's classes
     * or a group column's levels (a threshold).
     */
    public Double maxMissingGap;

    /** data fairness: the largest demographic parity difference (a threshold). */
    public Double maxParityDifference;

    /** data fairness: the smallest demographic parity ratio (a threshold; 0.8: four-fifths). */
    public Double minParityRatio;

    /** data fairness: the largest equalized odds difference (a threshold). */
    public Double maxEqualizedOddsDifference;

    /** data drift: the largest population stability index of any column (a threshold). */
    public Double maxPsi;

    @Override
    public boolean equals(Object o) {
      return o instanceof Task t
          && Objects.equals(type, t.type)
          && Objects.equals(name, t.name)
          && Objects.equals(model, t.model)
          && Objects.equals(batchSize, t.batchSize)
          && Objects.equals(maxMissingFraction, t.maxMissingFraction)
          && Objects.equals(method, t.method)
          && Objects.equals(samples, t.samples)
          && Objects.equals(background, t.background)
          && Objects.equals(target, t.target)
          && Objects.equals(waterfallRows, t.waterfallRows)
          && Objects.equals(variant, t.variant)
          && Objects.equals(noise, t.noise)
          && Objects.equals(steps, t.steps)
          && Objects.equals(rule, t.rule)
          && Objects.equals(baseline, t.baseline)
          && Objects.equals(layer, t.layer)
          && Objects.equals(patch, t.patch)
          && Objects.equals(stride, t.stride)
          && Objects.equals(fill, t.fill)
          && Objects.equals(fillValue, t.fillValue)
          && Objects.equals(ngrams, t.ngrams)
          && Objects.equals(compare, t.compare)
          && Objects.equals(permutedModel, t.permutedModel)
          && Objects.equals(rows, t.rows)
          && Objects.equals(targets, t.targets)
          && Objects.equals(rate, t.rate)
          && Objects.equals(decay, t.decay)
          && Objects.equals(jitter, t.jitter)
          && Objects.equals(blurSigma, t.blurSigma)
          && Objects.equals(discretize, t.discretize)
          && Objects.equals(kernelWidth, t.kernelWidth)
          && Objects.equals(superpixels, t.superpixels)
          && Objects.equals(selection, t.selection)
          && Objects.equals(keep, t.keep)
          && Objects.equals(examples, t.examples)
          && Objects.equals(embedding, t.embedding)
          && Objects.equals(prototypes, t.prototypes)
          && Objects.equals(similarity, t.similarity)
          && Objects.equals(components, t.components)
          && Objects.equals(scale, t.scale)
          && Objects.equals(solver, t.solver)
          && Objects.equals(perplexity, t.perplexity)
          && Objects.equals(iterations, t.iterations)
          && Objects.equals(pcaDims, t.pcaDims)
          && Objects.equals(mapRows, t.mapRows)
          && Objects.equals(neighbours, t.neighbours)
          && Objects.equals(search, t.search)
          && Objects.equals(landmarks, t.landmarks)
          && Objects.equals(metric, t.metric)
          && Objects.equals(colour, t.colour)
          && Objects.equals(size, t.size)
          && Objects.equals(shape, t.shape)
          && Objects.equals(plotSample, t.plotSample)
          && Objects.equals(calibrator, t.calibrator)
          && Objects.equals(bins, t.bins)
          && Objects.equals(binning, t.binning)
          && Objects.equals(calibrationFraction, t.calibrationFraction)
          && Objects.equals(alpha, t.alpha)
          && Objects.equals(conformal, t.conformal)
          && Objects.equals(maxEce, t.maxEce)
          && Objects.equals(minCoverage, t.minCoverage)
          && Objects.equals(mcDropout, t.mcDropout)
          && Objects.equals(autoencoder, t.autoencoder)
          && Objects.equals(explanationSpread, t.explanationSpread)
          && Objects.equals(bayesianNetwork, t.bayesianNetwork)
          && Objects.equals(autoencoderModel, t.autoencoderModel)
          && Objects.equals(reference, t.reference)
          && Objects.equals(noveltyPercentile, t.noveltyPercentile)
          && Objects.equals(maxUnfamiliar, t.maxUnfamiliar)
          && Objects.equals(constantColumns, t.constantColumns)
          && Objects.equals(sensitive, t.sensitive)
          && Objects.equals(maxGroups, t.maxGroups)
          && Objects.equals(top, t.top)
          && Objects.equals(positive, t.positive)
          && Objects.equals(prediction, t.prediction)
          && Objects.equals(explanations, t.explanations)
          && Objects.equals(referenceExplanations, t.referenceExplanations)
          && Objects.equals(maxDuplicateRows, t.maxDuplicateRows)
          && Objects.equals(maxMissingGap, t.maxMissingGap)
          && Objects.equals(maxParityDifference, t.maxParityDifference)
          && Objects.equals(minParityRatio, t.minParityRatio)
          && Objects.equals(maxEqualizedOddsDifference, t.maxEqualizedOddsDifference)
          && Objects.equals(maxPsi, t.maxPsi);
    }

    @Override
    public int hashCode() {
      return Objects.hash(type, name, model);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuditSpec s
        && Objects.equals(name, s.name)
        && Objects.equals(input, s.input)
        && Objects.equals(models, s.models)
        && Objects.equals(output, s.output)
        && Objects.equals(outputFormat, s.outputFormat)
        && Objects.equals(seed, s.seed)
        && Objects.equals(tasks, s.tasks)
        && Objects.equals(baseline, s.baseline);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, input, models, output, tasks);
  }

  /**
   * Checks what YAML cannot: required keys, known task types, models that exist.
   *
   * @throws SpecException naming the task and key
   */
  public void validate(String source) {
    if (input == null || input.path == null) {
      throw new SpecException(source + ": the key 'input.path' is required");
    }
    if (output == null) {
      throw new SpecException(source + ": the key 'output' is required (or pass --output)");
    }
    try {
      OutputFormat.named(outputFormat);
    } catch (SpecException e) {
      throw new SpecException(source + ": " + e.getMessage());
    }
    if (!List.of("error", "skip").contains(input.onInvalid)) {
      throw new SpecException(
          source + ": input.on_invalid is '" + input.onInvalid + "'; expected error or skip");
    }
    if (tasks.isEmpty()) {
      throw new SpecException(source + ": 'tasks' lists no task");
    }
    if (baseline != null) {
      if (baseline.path == null) {
        throw new SpecException(source + ": baseline.path (an earlier run's output) is required");
      }
      if (baseline.minRankCorrelation != null
          && !(baseline.minRankCorrelation >= -1 && baseline.minRankCorrelation <= 1)) {
        throw new SpecException(source + ": baseline.min_rank_correlation must be -1 to 1");
      }
      if (baseline.maxChange != null && !(baseline.maxChange >= 0)) {
        throw new SpecException(source + ": baseline.max_change must be 0 or more");
      }
    }
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      String where = source + ": task " + (i + 1);
      if (t.type == null || !TASK_TYPES.contains(t.type)) {
        throw new SpecException(
            where + ": type is '" + t.type + "'; expected one of " + TASK_TYPES);
      }
      if (t.type.equals("profile") && t.method != null) {
        throw new SpecException(
            where
                + " (profile): the key method does not apply; profile is data with method profile");
      }
      boolean data = t.type.equals("data") || t.type.equals("profile");
      if (data) {
        DataKeys.validate(t, where);
      } else {
        DataKeys.requireAbsent(t, where);
      }
      boolean explain = t.type.equals("explain");
      boolean explore = t.type.equals("explore");
      boolean uncertainty = t.type.equals("uncertainty");
      if (uncertainty) {
        UncertaintyKeys.validate(t, where);
        String named =
            t.model != null
                ? t.model
                : models.size() == 1 ? models.keySet().iterator().next() : null;
        UncertaintyKeys.requireLabelOrMembers(t, where, input.label, models.get(named));
      } else {
        UncertaintyKeys.requireAbsent(t, where);
      }
      if (!explore) {
        ExploreKeys.requireAbsent(t, where);
      } else {
        ExploreKeys.validate(t, where);
      }
      if (!explain) {
        ExplainKeys.requireAbsent(t, where);
        if (t.method != null && !explore && !data) {
          throw new SpecException(
              where + " (" + t.type + "): method applies to explain, explore and data tasks only");
        }
      } else {
        ExplainKeys.validate(t, where);
        if (t.permutedModel != null && !models.containsKey(t.permutedModel)) {
          throw new SpecException(
              where
                  + " (explain): permuted_model '"
                  + t.permutedModel
                  + "' is not among the models "
                  + models.keySet());
        }
      }
      if (t.type.equals("score") || explain || uncertainty) {
        if (t.model == null && models.size() == 1) {
          t.model = models.keySet().iterator().next();
        }
        if (t.model == null || !models.containsKey(t.model)) {
          throw new SpecException(
              where
                  + " ("
                  + t.type
                  + "): model '"
                  + t.model
                  + "' is not among the models "
                  + models.keySet());
        }
      } else if ((explore || data) && t.model != null) {
        if (!models.containsKey(t.model)) {
          throw new SpecException(
              where
                  + " ("
                  + t.type
                  + "): model '"
                  + t.model
                  + "' is not among the models "
                  + models.keySet());
        }
      } else if (t.model != null) {
        throw new SpecException(
            where
                + " ("
                + t.type
                + "): the key model applies to score, explain, uncertainty, explore (embeddings) and"
                + " data (fairness, drift) only");
      }
      if (!t.type.equals("score") && !uncertainty && t.batchSize != null) {
        throw new SpecException(
            where + " (" + t.type + "): batch_size applies to score and uncertainty only");
      }
    }
  }
}
