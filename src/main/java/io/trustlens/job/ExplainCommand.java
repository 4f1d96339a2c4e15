package io.trustlens.job;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens explain}: per-row Shapley values or gradient maps of a model's predictions. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explain every row's prediction: Shapley values (columns shap, one value per feature or"
          + " per one-hot group, shap_base, shap_gap = output - base - sum, and shap_class), LIME"
          + " surrogates, a linear model's terms, a tree's rules, nearest examples and prototype"
          + " attention, gradient maps and activation maximization of a TorchScript model,"
          + " occlusion of features, words or pixels, or sanity checks of gradient maps; global"
          + " importance in summary.json and report.html.",
      "Methods: exact (all coalitions, up to 16 players), kernel (Kernel SHAP), permutation"
          + " (antithetic orders), linear (MLlib linear/logistic, margin space), tree (TreeSHAP,"
          + " MLlib DT/RF/GBT, raw space), tree_interventional (TreeSHAP against the background).",
      "Gradient methods (TorchScript models): saliency (--variant absolute, signed or"
          + " input_x_gradient), smoothgrad (--samples noisy copies, --noise, --variant mean or"
          + " squared), integrated_gradients (--steps, --rule, --baseline; column ig_gap holds"
          + " the completeness gap), guided_backprop and grad_cam (--layer; modules that export"
          + " them, see the README), and a Vision Transformer's attention_rollout and"
          + " class_attention (modules that export attention(x)). Columns: the map, _class,"
          + " _output.",
      "Occlusion (any model): a sliding patch over images (--patch, --stride, --fill), one"
          + " feature or one-hot group at a time over tables (--fill zero, constant or mean), or"
          + " each word (--ngrams) of an MLlib text pipeline's text column. Columns: occlusion (the"
          + " drop of the explained output), occlusion_words (text), _class, _output.",
      "Linear terms (MLlib linear and logistic regression): --method linear_terms reads each"
          + " row's prediction as its terms: terms (b x per feature or one-hot group),"
          + " terms_centred (b (x - mean), the mean of --background), terms_intercept,"
          + " terms_margin, terms_class, and terms_odds_ratio (exp of the centred terms) for"
          + " logistic regression; standardised coefficients in summary.json and the report.",
      "Tree rules (MLlib DecisionTree, RandomForest, GBT): --method tree_rules writes each"
          + " row's leaf in every tree (rule_leaves) and, for one tree, its decision path as a"
          + " rule in the columns' names and one-hot values (rule), e.g. \"debt_ratio > 0.45 AND"
          + " region = south → class_1, p = 0.81, n = 170\"; the most used rules in summary.json,"
          + " and the tree drawn in the report.",
      "LIME (any model, tables; Ribeiro et al. 2016): --method lime fits a weighted ridge per row"
          + " to --samples perturbations (default 5000) drawn from a reference table's statistics"
          + " (--background PATH, or N rows of the input, default 1000): quartile bins (default)"
          + " or scaled values (--discretize none), each row's own or one shared draw"
          + " (--neighbourhood per_row or shared), kernel sqrt(exp(-d^2/w^2)) (--kernel-width),"
          + " all features or K kept (--selection highest_weights or lasso, --keep). Classifiers"
          + " in probability. Columns: lime, lime_intercept, lime_score (local fidelity, weighted"
          + " R^2), lime_prediction, lime_output, lime_class. Images: a weight per superpixel"
          + " (--superpixels grid:CELL or slic:K), hidden ones painted in their mean (--fill"
          + " mean, lime's) or --fill zero or constant; lime_segments and lime_map (per pixel).",
      "Nearest examples (Deep k-Nearest Neighbors, Papernot and McDaniel 2018): --method"
          + " nearest_examples finds each row's --neighbours nearest rows of the training table"
          + " (--examples PATH) in the features the model reads or a TorchScript method's"
          + " outputs (--embedding): columns examples (their ids), examples_labels,"
          + " examples_distances and, for classifiers, examples_prediction,"
          + " examples_credibility and examples_confidence, calibrated on a held-out share"
          + " (--calibration-fraction).",
      "Prototype attention (Snell et al. 2017): --method prototype_attention weighs prototypes"
          + " of the training table (--examples PATH; --prototypes kmeans:K, rows:N or"
          + " class_means) by a softmax of their similarity to each row (--similarity):"
          + " columns prototype_weights, prototype_top, prototype_prediction (sum of weight x"
          + " label), prototype_agrees (with the model's prediction).",
      "Sanity checks (Adebayo et al. 2018): --method sanity_checks compares each gradient"
          + " method's maps of a TorchScript model (--compare) on a sample of rows (--rows) under"
          + " the trained model, the model with its layers randomized from the top down, and the"
          + " network trained on permuted labels (--permuted-model); for an MLlib model, each"
          + " model-agnostic method's attributions (--compare tree, linear, kernel, ...,"
          + " occlusion) under the model and its estimator fitted again on the --label column"
          + " permuted. Table: check, randomized, layers_randomized, method, row, spearman, ssim;"
          + " verdicts in summary.json.",
      "Activation maximization (TorchScript models): --method activation_maximization"
          + " ascends the gradient of each target (--targets: outputs or LAYER:UNIT) on the input"
          + " from a grey start for images (--steps, --rate, --decay, --jitter, --blur-sigma), or"
          + " from the features' means for tables (each feature in units of its range). Table:"
          + " target, layer, unit, picture, start, objective; the pictures in the report."
    })
final class ExplainCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(names = "--model", required = true, paramLabel = "PATH", description = "The model.")
  String model;

  @Option(
      names = "--method",
      description =
          "exact, kernel (default), permutation, linear, tree, tree_interventional, saliency,"
              + " smoothgrad, integrated_gradients, guided_backprop, grad_cam, attention_rollout,"
              + " class_attention, occlusion, lime, linear_terms, tree_rules, nearest_examples,"
              + " prototype_attention, sanity_checks or"
              + " activation_maximization.")
  String method = "kernel";

  @Option(
      names = "--samples",
      description =
          "Coalitions for kernel (default 2M+2048), orders for permutation (32), noisy copies"
              + " for smoothgrad (50) or perturbations per row for lime (5000).")
  Integer samples;

  @Option(
      names = "--background",
      description =
          "Background: rows to sample (default 100; lime's statistics: 1000), kmeans:K, or a"
              + " table path.")
  String background;

  @Option(names = "--seed", description = "Random seed (default 42).")
  long seed = 42;

  @Option(
      names = "--target",
      description =
          "The output to explain: auto (default: a binary classifier's positive class, any other"
              + " model's predicted class per row), predicted, all (Shapley methods), a class"
              + " index, an output name, or a class name of a label train indexed.")
  String target;

  @Option(
      names = "--waterfall-rows",
      split = ",",
      paramLabel = "ID",
      description = "Ids of rows to draw as waterfalls in the report (needs --id).")
  java.util.List<String> waterfallRows;

  @Option(
      names = "--variant",
      description =
          "saliency: absolute (default), signed, input_x_gradient; smoothgrad: mean (default),"
              + " squared.")
  String variant;

  @Option(
      names = "--noise",
      description = "smoothgrad: noise sigma over each row's input range (default 0.15).")
  Double noise;

  @Option(names = "--steps", description = "integrated_gradients: points on the path (default 50).")
  Integer steps;

  @Option(
      names = "--rule",
      description = "integrated_gradients: gauss_legendre (default) or trapezoid.")
  String rule;

  @Option(
      names = "--baseline",
      description =
          "integrated_gradients: zero (default), mean (of the input's features) or blur (images).")
  String baseline;

  @Option(
      names = "--layer",
      description =
          "grad_cam: the layer L whose L_activations and from_L methods the module exports"
              + " (default: the only one).")
  String layer;

  @Option(
      names = "--patch",
      description = "occlusion of images: the patch's side in pixels (default: 1/8 of the image).")
  Integer patch;

  @Option(
      names = "--stride",
      description = "occlusion of images: pixels between patch positions (default: patch / 2).")
  Integer stride;

  @Option(
      names = "--fill",
      description =
          "occlusion: what occluded values become: zero (default), constant (--fill-value), mean"
              + " (images: each image's mean; tables: each feature's mean) or blur (images).")
  String fill;

  @Option(names = "--fill-value", description = "occlusion with --fill constant: the value.")
  Double fillValue;

  @Option(
      names = "--ngrams",
      description = "occlusion of text: also occlude runs of up to N words (default 1).")
  Integer ngrams;

  @Option(
      names = "--compare",
      split = ",",
      paramLabel = "METHOD",
      description =
          "sanity_checks: the methods checked (TorchScript: gradient methods, default saliency,"
              + " smoothgrad, integrated_gradients, and guided_backprop, grad_cam where exported;"
              + " MLlib: model-agnostic ones, default tree or linear, else kernel, and"
              + " occlusion).")
  List<String> compare;

  @Option(
      names = "--permuted-model",
      paramLabel = "PATH",
      description =
          "sanity_checks: the same network trained on permuted labels (the data randomization"
              + " check; for an MLlib model TrustLens fits it from --label when this is absent).")
  String permutedModel;

  @Option(
      names = "--rows",
      description = "sanity_checks: the rows whose maps are compared (default 32).")
  Integer rows;

  @Option(
      names = "--targets",
      split = ",",
      paramLabel = "TARGET",
      description =
          "activation_maximization: what each picture maximizes, an output (name or index) or"
              + " LAYER:UNIT (default every output).")
  List<String> targets;

  @Option(
      names = "--rate",
      description =
          "activation_maximization: each step's mean change, a share of the input range (0.02).")
  Double rate;

  @Option(
      names = "--decay",
      description = "activation_maximization: L2 decay towards the range's middle per step (0.01).")
  Double decay;

  @Option(
      names = "--jitter",
      description = "activation_maximization: the largest random roll per step in pixels (1).")
  Integer jitter;

  @Option(
      names = "--blur-sigma",
      description = "activation_maximization: blur every 4 steps, sigma in pixels (0.5; 0: none).")
  Double blurSigma;

  @Option(
      names = "--discretize",
      description = "lime: quartile (default: numeric features as quartile bins) or none.")
  String discretize;

  @Option(
      names = "--neighbourhood",
      description =
          "lime on tables: per_row (default: each row draws its own samples) or shared (one draw"
              + " of samples for every row, scored once: each row's law unchanged).")
  String neighbourhood;

  @Option(
      names = "--kernel-width",
      description = "lime: the exponential kernel's width (default 0.75 sqrt(features)).")
  Double kernelWidth;

  @Option(
      names = "--selection",
      description = "lime: features kept: none (default), highest_weights or lasso.")
  String selection;

  @Option(
      names = "--keep",
      description = "lime with --selection highest_weights or lasso: features kept (default 10).")
  Integer keep;

  @Option(
      names = "--superpixels",
      description =
          "lime on images: grid:CELL (square cells of CELL pixels) or slic:K (about K SLIC"
              + " segments; default slic:50).")
  String superpixels;

  @Option(
      names = "--examples",
      paramLabel = "PATH",
      description =
          "nearest_examples, prototype_attention: the training table examples come from (the"
              + " input's columns, --id and --label).")
  String examples;

  @Option(names = "--neighbours", description = "nearest_examples: examples per row (default 10).")
  Integer neighbours;

  @Option(
      names = "--search",
      description =
          "nearest_examples: auto (default; exact up to 20,000 training rows), exact or"
              + " approximate.")
  String search;

  @Option(
      names = "--scale",
      negatable = true,
      description =
          "nearest_examples: compare in units of each feature's training standard deviation"
              + " (default: on for features, off for --embedding).")
  Boolean scale;

  @Option(
      names = "--calibration-fraction",
      description =
          "nearest_examples: the share of training rows held out to calibrate credibility"
              + " (default 0.1).")
  Double calibrationFraction;

  @Option(
      names = "--embedding",
      paramLabel = "METHOD",
      description =
          "nearest_examples, prototype_attention: compare rows in this TorchScript method's"
              + " outputs (e.g. embed) instead of the features.")
  String embedding;

  @Option(
      names = "--prototypes",
      description =
          "prototype_attention: kmeans:K (default kmeans:20), rows:N (N training rows) or"
              + " class_means.")
  String prototypes;

  @Option(
      names = "--similarity",
      description =
          "prototype_attention: dot (default, <f(x), f(p)>) or neg_squared_distance"
              + " (-|f(x) - f(p)|^2).")
  String similarity;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "explain";
    spec.input = table.toSpec();
    spec.models.put("model", model);
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    spec.seed = seed;
    ExplainSpec task = new ExplainSpec();
    task.type = "explain";
    task.model = "model";
    task.method = method;
    task.samples = samples;
    task.background = background;
    task.target = target;
    task.waterfallRows = waterfallRows;
    task.variant = variant;
    task.noise = noise;
    task.steps = steps;
    task.rule = rule;
    task.baseline = baseline;
    task.layer = layer;
    task.patch = patch;
    task.stride = stride;
    task.fill = fill;
    task.fillValue = fillValue;
    task.ngrams = ngrams;
    task.compare = compare;
    task.rows = rows;
    task.targets = targets;
    task.rate = rate;
    task.decay = decay;
    task.jitter = jitter;
    task.blurSigma = blurSigma;
    task.discretize = discretize;
    task.neighbourhood = neighbourhood;
    task.kernelWidth = kernelWidth;
    task.selection = selection;
    task.keep = keep;
    task.superpixels = superpixels;
    task.examples = examples;
    task.neighbours = neighbours;
    task.search = search;
    task.calibrationFraction = calibrationFraction;
    task.embedding = embedding;
    task.prototypes = prototypes;
    task.similarity = similarity;
    task.scale = scale;
    if (permutedModel != null) {
      spec.models.put("permuted", permutedModel);
      task.permutedModel = "permuted";
    }
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "explain", spec, "explain").run(output.overwrite);
  }
}
