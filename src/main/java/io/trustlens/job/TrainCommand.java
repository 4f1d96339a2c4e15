package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trustlens train}: fits and saves an MLlib baseline {@code PipelineModel}: string columns
 * are indexed and one-hot encoded, then assembled with the numeric ones into {@code features}.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Fit an MLlib baseline (gbt, rf, dt, logistic or linear) on a table and save it as a"
          + " PipelineModel directory, with its rows, class balance and held-out metrics.",
      "The pipeline: StringIndexer + OneHotEncoder for string columns, Tokenizer +"
          + " CountVectorizer for the --text column, VectorAssembler, then the estimator."
    })
final class TrainCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin SparkOptions spark;

  @Option(names = "--estimator", required = true, description = "gbt, rf, dt, logistic or linear.")
  String estimator;

  @Option(
      names = "--objective",
      description =
          "classification (default; labels 0..k-1) or regression; logistic and linear"
              + " imply theirs.")
  String objective;

  @Option(
      names = "--positive",
      paramLabel = "NAME",
      description =
          "A label of two class names: the one indexed as class 1, the positive class (default:"
              + " the later name alphabetically).")
  String positive;

  @Option(names = "--output", required = true, description = "The model directory to write.")
  String output;

  @Option(names = "--overwrite", description = "Replace the model directory if it exists.")
  boolean overwrite;

  @Option(
      names = "--text",
      paramLabel = "COL",
      description =
          "A text column: Tokenizer (lower case, split on white space) and CountVectorizer (binary:"
              + " which words are present) make its features, assembled with the others; explain"
              + " --method occlusion then explains its words.")
  String text;

  @Option(names = "--trees", description = "Trees of gbt and rf (default 20).")
  int trees = 20;

  @Option(names = "--max-depth", description = "Tree depth of gbt, rf and dt (default 5).")
  int maxDepth = 5;

  @Option(names = "--seed", description = "Random seed (default 42).")
  long seed = 42;

  /** The fewest rows train fits on (MLlib's trees bin features by the rows they see). */
  static final int MIN_ROWS = 10;

  @Option(
      names = "--holdout",
      paramLabel = "SHARE",
      description =
          "Rows held out of the fit for metrics (default 0.2; 0: fit on every row), chosen by a"
              + " hash of the seed and the row's --id (or every column): AUC, accuracy and log"
              + " loss, or RMSE and R², printed and kept in OUTPUT/training.json with the rows"
              + " and the label's balance.")
  Double holdout;

  @Option(
      names = "--bootstrap",
      paramLabel = "K",
      description =
          "Fit K members on Poisson bootstrap weights of the rows (a hash of seed, member and row"
              + " id, or every column without --id), sharing one fitted feature prefix; writes"
              + " OUTPUT/member_0 .. member_K-1, an ensemble for uncertainty --model ...")
  Integer bootstrap;

  /** The label's column in the rows fitted (see {@link #fitLabel}). */
  private String fitLabel;

  /** Whether the label holds strings, class names, indexed by {@link #classes}. */
  private boolean named;

  /** The label's indexer, fitted before the rest when {@link #named}. */
  private org.apache.spark.ml.feature.StringIndexerModel classes;

  @Override
  public Integer call() throws IOException {
    if (table.label == null) {
      throw new SpecException("train needs --label");
    }
    for (String[] option :
        new String[][] {
          {"--vector", table.vector}, {"--image", table.image}, {"--image-shape", table.imageShape}
        }) {
      if (option[1] != null) {
        throw new SpecException(
            option[0]
                + " is not used by train, which fits on the table's numeric and string columns"
                + " (--features) and a --text column");
      }
    }
    SparkSession session = spark.session("train");
    OutputDirectory.requireWritable(session, output, overwrite, List.of(table.input));
    InputTable input = InputTable.read(session, table.toSpec());
    input.readNotes().forEach(m -> System.err.println("trustlens: warning: input: " + m));
    Dataset<Row> df = input.table();
    boolean regression = regression();
    org.apache.spark.sql.types.DataType labelType = df.schema().apply(table.label).dataType();
    named = labelType instanceof StringType;
    if (!(labelType instanceof NumericType) && !named) {
      throw new SpecException(
          "label column '"
              + table.label
              + "' is "
              + labelType.simpleString()
              + "; train fits a numeric label, or a string one (classes named by their values)");
    }
    if (positive != null && !named) {
      throw new SpecException(
          "--positive names a class of a label of class names; '"
              + table.label
              + "' holds numbers, whose class 1 is the positive one");
    }
    if (named && regression) {
      throw new SpecException(
          "label column '"
              + table.label
              + "' holds strings, class names; --objective regression needs numbers");
    }
    List<String> featureColumns = featureColumns(df);
    List<String> numbers = new ArrayList<>(List.of(table.label));
    for (String c : featureColumns) {
      if (df.schema().apply(c).dataType() instanceof NumericType) {
        numbers.add(c);
      }
    }
    df = input.valid(numbers, "train fits on");
    fitLabel = fitLabel(df);
    if (named) {
      classes =
          new StringIndexer()
              .setInputCol(ColumnNames.forStage(table.label))
              .setOutputCol(fitLabel)
              .setStringOrderType("alphabetAsc")
              .fit(df);
      if (positive != null) {
        classes = withPositive(classes);
      }
      df = classes.transform(df);
    } else if (!fitLabel.equals(table.label)) {
      df = df.withColumnRenamed(table.label, fitLabel);
    }
    StructType schema = df.schema();
    List<String> categories =
        featureColumns.stream()
            .filter(c -> !c.equals(text) && schema.apply(c).dataType() instanceof StringType)
            .toList();
    Map<String, Long> missingCategories = input.missingText(categories);
    missingCategories.forEach(
        (c, n) ->
            System.err.println(
                "trustlens: warning: "
                    + c
                    + " is missing (null or empty) in "
                    + n
                    + " rows: fitted as no category (an all-zero one-hot block), as score will"
                    + " score them"));
    List<PipelineStage> stages = new ArrayList<>();
    List<String> assembled = new ArrayList<>();
    if (text != null) {
      if (df.schema().getFieldIndex(text).isEmpty()
          || !(df.schema().apply(text).dataType() instanceof StringType)) {
        throw new SpecException("--text names '" + text + "', which is not a string column");
      }
      stages.add(
          new Tokenizer().setInputCol(ColumnNames.forStage(text)).setOutputCol(text + "_words"));
      stages.add(
          new CountVectorizer()
              .setInputCol(ColumnNames.forStage(text + "_words"))
              .setOutputCol(text + "_words_present")
              .setBinary(true));
      assembled.add(text + "_words_present");
    }
    for (String c : featureColumns) {
      StructField f = df.schema().apply(c);
      if (c.equals(text)) {
        continue;
      } else if (f.dataType() instanceof StringType) {
        stages.add(
            new StringIndexer()
                .setInputCol(ColumnNames.forStage(c))
                .setOutputCol(c + "_index")
                .setHandleInvalid("keep"));
        stages.add(
            new OneHotEncoder()
                .setInputCol(ColumnNames.forStage(c + "_index"))
                .setOutputCol(c + "_onehot"));
        assembled.add(c + "_onehot");
      } else if (f.dataType() instanceof NumericType) {
        assembled.add(c);
      } else {
        throw new SpecException(
            "feature column '"
                + c
                + "' is "
                + f.dataType().simpleString()
                + "; train takes"
                + " numeric and string columns");
      }
    }
    stages.add(
        new VectorAssembler()
            .setInputCols(assembled.stream().map(ColumnNames::forStage).toArray(String[]::new))
            .setOutputCol("features")
            .setHandleInvalid("error"));
    boolean gbtClasses = estimator.equals("gbt") && !regression;
    Map<String, Long> balance =
        !regression && (bootstrap == null || gbtClasses)
            ? TrainingMetrics.balance(df, named ? table.label : fitLabel)
            : null;
    if (gbtClasses) {
      requireZeroOne(balance.keySet());
    }
    if (named) {
      System.out.println(
          "the label '"
              + table.label
              + "' holds class names, indexed "
              + (positive == null ? "in alphabetical order" : "with --positive as class 1")
              + ": "
              + classNames());
    }
    if (bootstrap != null) {
      if (holdout != null) {
        throw new SpecException(
            "--holdout does not apply to --bootstrap (each member sees every row, weighted)");
      }
      return bootstrap(df, stages, regression, assembled.size());
    }
    double holdout = this.holdout == null ? 0.2 : this.holdout;
    stages.add(predictor(regression));
    if (!(holdout >= 0 && holdout < 1)) {
      throw new SpecException("--holdout is a share of rows in [0, 1), not " + holdout);
    }
    org.apache.spark.sql.Column held =
        TrainingMetrics.heldOut(seed, holdout, Bootstrap.keys(df, table.id));
    Dataset<Row> fit = holdout > 0 ? df.filter(held.unary_$bang()) : df;
    Dataset<Row> test = df.filter(held);
    long fitRows = fit.count();
    long testRows = holdout > 0 ? test.count() : 0;
    if (fitRows < MIN_ROWS) {
      throw new SpecException(
          "train needs at least "
              + MIN_ROWS
              + " rows to fit; "
              + table.input
              + " leaves "
              + fitRows
              + (testRows > 0 ? " after holding out " + testRows + " (--holdout)" : ""));
    }
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("estimator", estimator);
    record.put("objective", regression ? "regression" : "classification");
    record.put("label", table.label);
    if (named) {
      record.put("classes", List.of(classes.labelsArray()[0]));
    }
    record.put("rows", input.rows());
    record.put("rows_fitted", fitRows);
    record.put("rows_held_out", testRows);
    long skipped = input.rows() - fitRows - testRows;
    if ("skip".equals(table.onInvalid)) {
      record.put("rows_skipped_invalid", skipped);
    }
    record.put("missing_categories", missingCategories);
    record.put("holdout", holdout);
    record.put("seed", seed);
    StringBuilder said =
        new StringBuilder(
            String.format(
                java.util.Locale.ROOT,
                "trained %s on %,d of %,d rows",
                estimator,
                fitRows,
                input.rows()));
    if (skipped > 0) {
      said.append(
          String.format(
              java.util.Locale.ROOT,
              " (%,d skipped: a null, NaN or infinity in the label or a numeric feature)",
              skipped));
    }
    if (!regression) {
      Map<String, Long> fitted = TrainingMetrics.balance(fit, named ? table.label : fitLabel);
      if (fitted.size() < 2) {
        throw new SpecException(
            "the label '"
                + table.label
                + "' has one value ("
                + String.join(", ", fitted.keySet())
                + ") in the rows to fit; a classifier needs two or more");
      }
      record.put("label_balance", balance);
      List<String> shares = new ArrayList<>();
      balance.forEach(
          (k, v) -> shares.add(k + ": " + String.format(java.util.Locale.ROOT, "%,d", v)));
      said.append("; " + table.label + " in all rows: " + String.join(", ", shares));
    }
    PipelineModel model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(fit);
    if (testRows > 0) {
      Map<String, Double> metrics = TrainingMetrics.of(model.transform(test), fitLabel, regression);
      record.put("held_out", metrics);
      said.append(
          String.format(
              java.util.Locale.ROOT,
              "%nheld out %,d rows: %s",
              testRows,
              TrainingMetrics.line(metrics)));
    } else {
      said.append(System.lineSeparator() + "no rows held out (--holdout 0): no held-out metrics");
    }
    if (named) {
      model = withClasses(model.stages());
    }
    (overwrite ? model.write().overwrite() : model.write()).save(output);
    Path recordFile = new Path(output, "training.json");
    try (java.io.OutputStream out =
        recordFile
            .getFileSystem(session.sparkContext().hadoopConfiguration())
            .create(recordFile, true)) {
      out.write(
          new com.fasterxml.jackson.databind.ObjectMapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsBytes(record));
    }
    System.out.println(said);
    System.out.println(
        "saved "
            + estimator
            + " pipeline ("
            + assembled.size()
            + " inputs) to "
            + output
            + " (what it was trained on: "
            + output
            + "/training.json)");
    return 0;
  }

  /**
   * Fits the feature prefix once, then K predictors on Poisson bootstrap weights; each member is
   * the shared prefix plus its predictor, so the members load as one ensemble.
   */
  private int bootstrap(Dataset<Row> df, List<PipelineStage> prefix, boolean regression, int inputs)
      throws IOException {
    if (bootstrap < 2) {
      throw new SpecException("--bootstrap needs K >= 2 members; got " + bootstrap);
    }
    PipelineModel features = new Pipeline().setStages(prefix.toArray(new PipelineStage[0])).fit(df);
    Dataset<Row> prepared = features.transform(df);
    List<org.apache.spark.sql.Column> keys = Bootstrap.keys(df, table.id);
    List<String> written = new ArrayList<>();
    for (int k = 0; k < bootstrap; k++) {
      Dataset<Row> weighted =
          prepared.withColumn("_bootstrap_weight", Bootstrap.weight(seed, k, keys));
      PipelineStage predictor = predictor(regression);
      org.apache.spark.ml.param.Params params = (org.apache.spark.ml.param.Params) predictor;
      params.set("weightCol", "_bootstrap_weight");
      if (params.hasParam("seed")) {
        params.set("seed", seed + k);
      }
      org.apache.spark.ml.Transformer fitted =
          ((org.apache.spark.ml.Estimator<?>) predictor).fit(weighted);
      List<org.apache.spark.ml.Transformer> stages = new ArrayList<>(List.of(features.stages()));
      stages.add(fitted);
      PipelineModel member = withClasses(stages.toArray(new org.apache.spark.ml.Transformer[0]));
      String path = output + "/member_" + k;
      (overwrite ? member.write().overwrite() : member.write()).save(path);
      written.add(path);
    }
    System.out.println(
        "saved "
            + bootstrap
            + " bootstrap members of "
            + estimator
            + " ("
            + inputs
            + " inputs, one shared feature prefix) under "
            + output
            + "; use them as an ensemble: --model "
            + String.join(" --model ", written));
    return 0;
  }

  /**
   * The pipeline of {@code stages}, after the label's indexer when the label holds class names: the
   * fitted {@code StringIndexerModel} from the label to the column the predictor fits on, so the
   * saved model carries its classes' names in index order (MLlib skips the stage when a table to
   * score lacks the label).
   */
  private PipelineModel withClasses(org.apache.spark.ml.Transformer[] stages) {
    List<org.apache.spark.ml.Transformer> all = new ArrayList<>();
    if (named) {
      all.add(classes);
    }
    all.addAll(List.of(stages));
    return new PipelineModel(
        org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("pipeline"), all);
  }

  /** {@code fitted}'s two classes with {@link #positive} second, as class 1. */
  private org.apache.spark.ml.feature.StringIndexerModel withPositive(
      org.apache.spark.ml.feature.StringIndexerModel fitted) {
    String[] names = fitted.labelsArray()[0];
    if (names.length != 2) {
      throw new SpecException(
          "--positive applies to a label of two class names; '"
              + table.label
              + "' has "
              + names.length
              + ": "
              + String.join(", ", names));
    }
    if (!List.of(names).contains(positive)) {
      throw new SpecException(
          "--positive is '"
              + positive
              + "', which is not one of the two classes of '"
              + table.label
              + "': it has "
              + String.join(", ", names)
              + SpecException.didYouMean(positive, names));
    }
    String negative = names[0].equals(positive) ? names[1] : names[0];
    return new org.apache.spark.ml.feature.StringIndexerModel(new String[] {negative, positive})
        .setInputCol(fitted.getInputCol())
        .setOutputCol(fitted.getOutputCol());
  }

  /** The label's class names in index order, as {@code 0 = a, 1 = b}. */
  private String classNames() {
    String[] names = classes.labelsArray()[0];
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      shown.add(i + " = " + names[i]);
    }
    return String.join(", ", shown);
  }

  /**
   * MLlib's GBTClassifier fits two classes labelled 0 and 1 and fails deep in its first tree on any
   * other label: refused here, naming the label's values.
   */
  private void requireZeroOne(java.util.Set<String> values) {
    boolean zeroOne =
        named // class names: indexed 0 and 1 when there are two
            ? values.size() <= 2
            : values.stream().mapToDouble(Double::parseDouble).allMatch(v -> v == 0 || v == 1);
    if (!zeroOne) {
      throw new SpecException(
          "gbt classifies two classes labelled 0 and 1 (MLlib's GBTClassifier); the label '"
              + table.label
              + "' has the values "
              + String.join(", ", values)
              + ": use rf, dt or logistic, or --objective regression");
    }
  }

  private boolean regression() {
    String o = objective;
    if (estimator.equals("linear")) {
      o = o == null ? "regression" : o;
    } else if (estimator.equals("logistic")) {
      o = o == null ? "classification" : o;
    }
    if (o == null) {
      o = "classification";
    }
    if (!o.equals("classification") && !o.equals("regression")) {
      throw new SpecException("--objective is classification or regression, not " + o);
    }
    return o.equals("regression");
  }

  /**
   * The label's column in the rows fitted: its own name, or {@code label} (then {@code label_2},
   * ...: a name the table lacks) when it has a dot or a backtick. MLlib 4.2's Predictor.fit looks
   * the label up by its literal name while its schema checks parse it as a path, so no spelling of
   * such a name passes both; the saved model's label parameter is then that column's name, which
   * scoring never reads.
   */
  private String fitLabel(Dataset<Row> df) {
    if (!named && ColumnNames.forStage(table.label).equals(table.label)) {
      return table.label;
    }
    List<String> have = List.of(df.columns());
    String name = "label";
    for (int k = 2; have.contains(name); k++) {
      name = "label_" + k;
    }
    return name;
  }

  private List<String> featureColumns(Dataset<Row> df) {
    if (!table.features.isEmpty()) {
      return table.features;
    }
    List<String> cols = new ArrayList<>();
    List<String> left = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      String c = f.name();
      if (c.equals(table.label) || c.equals(table.id)) {
        continue;
      }
      if (f.dataType() instanceof NumericType || f.dataType() instanceof StringType) {
        cols.add(c);
      } else {
        left.add(c + " (" + f.dataType().simpleString() + ")");
      }
    }
    if (!left.isEmpty()) {
      System.err.println(
          "trustlens: warning: columns left out of the features, which default to the numeric and"
              + " string ones: "
              + String.join(", ", left)
              + "; name the features with --features");
    }
    return cols;
  }

  private PipelineStage predictor(boolean regression) {
    String label = fitLabel;
    return switch (estimator + (regression ? "/r" : "/c")) {
      case "gbt/c" ->
          new GBTClassifier()
              .setLabelCol(label)
              .setMaxIter(trees)
              .setMaxDepth(maxDepth)
              .setSeed(seed);
      case "gbt/r" ->
          new GBTRegressor()
              .setLabelCol(label)
              .setMaxIter(trees)
              .setMaxDepth(maxDepth)
              .setSeed(seed);
      case "rf/c" ->
          new RandomForestClassifier()
              .setLabelCol(label)
              .setNumTrees(trees)
              .setMaxDepth(maxDepth)
              .setSeed(seed);
      case "rf/r" ->
          new RandomForestRegressor()
              .setLabelCol(label)
              .setNumTrees(trees)
              .setMaxDepth(maxDepth)
              .setSeed(seed);
      case "dt/c" ->
          new DecisionTreeClassifier().setLabelCol(label).setMaxDepth(maxDepth).setSeed(seed);
      case "dt/r" ->
          new DecisionTreeRegressor().setLabelCol(label).setMaxDepth(maxDepth).setSeed(seed);
      case "logistic/c" -> new LogisticRegression().setLabelCol(label).setMaxIter(100);
      case "linear/r" -> new LinearRegression().setLabelCol(label);
      default ->
          throw new SpecException(
              "estimator '"
                  + estimator
                  + "' with objective "
                  + (regression ? "regression" : "classification")
                  + " is not available; use gbt, rf, dt, logistic or linear");
    };
  }
}
