package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditSpecParserTest {

  @Test
  void demoSpecRoundTripsThroughYaml() {
    AuditSpec spec = AuditSpecParser.load(Path.of("conf/demo.yaml"), null);
    assertEquals("datasets/synthetic/credit.csv", spec.input.path);
    assertEquals("default", spec.input.label);
    assertEquals(0.05, ((DataSpec) spec.tasks.get(0)).maxMissingFraction);
    assertEquals("gbt", spec.tasks.get(1).model);
    AuditSpec again = AuditSpecParser.parse(AuditSpecParser.write(spec), "written");
    assertEquals(spec, again);
  }

  @Test
  void environmentVariablesAndSetOverridesReachTheSpec(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("spec.yaml");
    java.nio.file.Files.writeString(
        file,
        "name: nightly $${not a variable}\n"
            + "input: {path: ${DATA}/credit.csv, id: id, label: default}\n"
            + "models: {gbt: datasets/models/credit_gbt}\n"
            + "output: ${OUT:-target/nightly}\n"
            + "tasks:\n"
            + "  - {type: profile, max_missing_fraction: 0.05}\n"
            + "  - {type: score}\n");
    java.util.Map<String, String> env = java.util.Map.of("DATA", "datasets/synthetic");
    AuditSpec plain = AuditSpecParser.load(file, null, List.of(), env);
    assertEquals("datasets/synthetic/credit.csv", plain.input.path);
    assertEquals("target/nightly", plain.output);
    assertEquals("nightly ${not a variable}", plain.name);
    AuditSpec set =
        AuditSpecParser.load(
            file,
            null,
            List.of(
                "tasks.1.max_missing_fraction=0.5",
                "output=/tmp/elsewhere",
                "seed=7",
                "input.features=[age, income]"),
            env);
    assertEquals(0.5, ((DataSpec) set.tasks.get(0)).maxMissingFraction);
    assertEquals("/tmp/elsewhere", set.output);
    assertEquals(7L, set.seed);
    assertEquals(List.of("age", "income"), set.input.features);
    SpecException unset =
        assertThrows(
            SpecException.class,
            () -> AuditSpecParser.load(file, null, List.of(), java.util.Map.of()));
    assertTrue(
        unset.getMessage().contains("line 2: the environment variable DATA is not set"),
        unset.getMessage());
    SpecException nine =
        assertThrows(
            SpecException.class,
            () -> AuditSpecParser.load(file, null, List.of("tasks.9.max_psi=1"), env));
    assertTrue(nine.getMessage().contains("lists 2 entries"), nine.getMessage());
    SpecException typo =
        assertThrows(
            SpecException.class,
            () -> AuditSpecParser.load(file, null, List.of("tasks.2.bach_size=8"), env));
    assertTrue(typo.getMessage().contains("unknown key 'bach_size'"), typo.getMessage());
  }

  @Test
  void theReadmesSpecParsesAndValidates() throws Exception {
    String readme = java.nio.file.Files.readString(Path.of("README.md"));
    int start = readme.indexOf("```yaml", readme.indexOf("## Audit specs")) + "```yaml".length();
    String yaml = readme.substring(start, readme.indexOf("```", start));
    AuditSpec spec = AuditSpecParser.parse(yaml, "README.md");
    spec.validate("README.md");
    assertTrue(spec.tasks.stream().anyMatch(t -> "fairness".equals(t.method())), yaml);
  }

  @Test
  void everyKeyRoundTrips() {
    AuditSpec spec = new AuditSpec();
    spec.name = "all";
    spec.input = new AuditSpec.Input();
    spec.input.path = "t.parquet";
    spec.input.format = "parquet";
    spec.input.id = "id";
    spec.input.label = "y";
    spec.input.features = List.of("a", "b");
    spec.input.vector = "v";
    spec.input.image = "img";
    spec.input.imageShape = "1,8,8";
    spec.input.partitions = 7;
    spec.input.onInvalid = "skip";
    spec.models.put("m", "model.pt");
    spec.output = "out";
    spec.outputFormat = "json";
    spec.seed = 9L;
    ScoreSpec t = new ScoreSpec();
    t.type = "score";
    t.name = "p";
    t.model = "m";
    t.batchSize = 64;
    DataSpec p = new DataSpec();
    p.type = "profile";
    p.maxMissingFraction = 0.1;
    ExploreSpec e = new ExploreSpec();
    e.type = "explore";
    e.method = "tsne";
    e.components = 3;
    e.scale = true;
    e.solver = "randomized";
    e.perplexity = 12.5;
    e.iterations = 300;
    e.pcaDims = 20;
    e.neighbours = 7;
    e.search = "exact";
    e.landmarks = 99;
    e.metric = "cosine";
    e.colour = "y";
    e.size = "a";
    e.shape = "b";
    e.plotSample = 500;
    e.constantColumns = "ignore";
    e.mapRows = 5000;
    ExplainSpec k = new ExplainSpec();
    k.type = "explain";
    k.model = "m";
    k.method = "kernel";
    k.samples = 300;
    k.background = "kmeans:5";
    k.target = "1";
    k.waterfallRows = List.of("3", "4");
    ExplainSpec ig = new ExplainSpec();
    ig.type = "explain";
    ig.model = "m";
    ig.method = "integrated_gradients";
    ig.steps = 32;
    ig.rule = "trapezoid";
    ig.baseline = "blur";
    ig.target = "digit_3";
    ExplainSpec sg = new ExplainSpec();
    sg.type = "explain";
    sg.model = "m";
    sg.method = "smoothgrad";
    sg.variant = "squared";
    sg.noise = 0.2;
    sg.samples = 12;
    sg.layer = "conv2";
    ExplainSpec occ = new ExplainSpec();
    occ.type = "explain";
    occ.model = "m";
    occ.method = "occlusion";
    occ.patch = 4;
    occ.stride = 2;
    occ.fill = "constant";
    occ.fillValue = 0.5;
    occ.ngrams = 2;
    ExplainSpec sanity = new ExplainSpec();
    sanity.type = "explain";
    sanity.model = "m";
    sanity.method = "sanity_checks";
    sanity.compare = List.of("saliency", "guided_backprop");
    sanity.permutedModel = "permuted";
    sanity.rows = 16;
    spec.models.put("permuted", "models/permuted.pt");
    ExplainSpec pictures = new ExplainSpec();
    pictures.type = "explain";
    pictures.model = "m";
    pictures.method = "activation_maximization";
    pictures.targets = List.of("top_left", "conv2:3");
    pictures.steps = 100;
    pictures.rate = 0.05;
    pictures.decay = 0.02;
    pictures.jitter = 2;
    pictures.blurSigma = 0.7;
    ExplainSpec lime = new ExplainSpec();
    lime.type = "explain";
    lime.model = "m";
    lime.method = "lime";
    lime.samples = 1000;
    lime.discretize = "none";
    lime.kernelWidth = 1.5;
    lime.selection = "lasso";
    lime.keep = 4;
    lime.superpixels = "grid:4";
    ExplainSpec examples = new ExplainSpec();
    examples.type = "explain";
    examples.model = "m";
    examples.method = "nearest_examples";
    examples.examples = "train.parquet";
    examples.neighbours = 5;
    examples.search = "approximate";
    examples.calibrationFraction = 0.2;
    examples.embedding = "embed";
    examples.scale = false;
    ExplainSpec prototypes = new ExplainSpec();
    prototypes.type = "explain";
    prototypes.model = "m";
    prototypes.method = "prototype_attention";
    prototypes.examples = "train.parquet";
    prototypes.prototypes = "class_means";
    prototypes.similarity = "neg_squared_distance";
    UncertaintySpec u = new UncertaintySpec();
    u.type = "uncertainty";
    u.model = "m";
    u.calibrator = "platt";
    u.bins = 10;
    u.binning = "equal_mass";
    u.calibrationFraction = 0.4;
    u.alpha = 0.05;
    u.conformal = "aps";
    u.maxEce = 0.03;
    u.minCoverage = 0.9;
    u.mcDropout = 30;
    u.explanationSpread = "tree";
    u.bayesianNetwork = true;
    u.reference = "train.parquet";
    u.noveltyPercentile = 98.0;
    u.maxUnfamiliar = 0.05;
    u.autoencoder = true;
    UncertaintySpec reuse = new UncertaintySpec();
    reuse.type = "uncertainty";
    reuse.autoencoderModel = "run/autoencoder";
    DataSpec profile = new DataSpec();
    profile.type = "data";
    profile.method = "profile";
    profile.bins = 12;
    profile.top = 5;
    profile.maxDuplicateRows = 0.01;
    DataSpec missing = new DataSpec();
    missing.type = "data";
    missing.method = "missing";
    missing.sensitive = List.of("a");
    missing.maxGroups = 20;
    missing.maxMissingGap = 0.05;
    DataSpec fairness = new DataSpec();
    fairness.type = "data";
    fairness.method = "fairness";
    fairness.sensitive = List.of("a", "b");
    fairness.positive = "1";
    fairness.prediction = "decision";
    fairness.explanations = "shap";
    fairness.maxParityDifference = 0.1;
    fairness.minParityRatio = 0.8;
    fairness.maxEqualizedOddsDifference = 0.1;
    DataSpec drift = new DataSpec();
    drift.type = "data";
    drift.method = "drift";
    drift.model = "m";
    drift.reference = "train.parquet";
    drift.explanations = "shap";
    drift.referenceExplanations = "train_shap";
    drift.maxPsi = 0.2;
    spec.tasks.addAll(
        List.of(t, p, e, k, ig, sg, occ, sanity, pictures, lime, examples, prototypes, u, reuse));
    spec.tasks.addAll(List.of(profile, missing, fairness, drift));
    spec.baseline = new AuditSpec.Baseline();
    spec.baseline.path = "runs/yesterday";
    spec.baseline.maxChange = 0.1;
    spec.baseline.minRankCorrelation = 0.9;
    // Every key of a task is set in one of them, so a new key cannot miss this round trip.
    for (java.lang.reflect.Field f : AuditSpec.Task.class.getFields()) {
      boolean set = false;
      for (AuditSpec.Task task : spec.tasks) {
        try {
          set |= f.get(task) != null;
        } catch (IllegalAccessException impossible) {
          throw new AssertionError(impossible);
        }
      }
      assertTrue(set, "no task of this test sets " + f.getName());
    }
    String yaml = AuditSpecParser.write(spec);
    assertTrue(yaml.contains("mc_dropout: 30") && yaml.contains("explanation_spread: tree"), yaml);
    assertTrue(yaml.contains("bayesian_network: true") && yaml.contains("max_unfamiliar:"), yaml);
    assertTrue(yaml.contains("autoencoder_model: run/autoencoder"), yaml);
    assertTrue(yaml.contains("kernel_width: 1.5") && yaml.contains("selection: lasso"), yaml);
    assertTrue(
        yaml.contains("calibration_fraction: 0.2") && yaml.contains("embedding: embed"), yaml);
    assertTrue(yaml.contains("prototypes: class_means") && yaml.contains("similarity:"), yaml);
    assertTrue(yaml.contains("waterfall_rows:") && yaml.contains("rule: trapezoid"), yaml);
    assertTrue(yaml.contains("pca_dims: 20") && yaml.contains("constant_columns: ignore"), yaml);
    assertTrue(yaml.contains("on_invalid: skip"), yaml);
    assertTrue(yaml.contains("image_shape:"), yaml);
    assertTrue(yaml.contains("fill_value: 0.5") && yaml.contains("ngrams: 2"), yaml);
    assertTrue(yaml.contains("permuted_model: permuted") && yaml.contains("rows: 16"), yaml);
    assertTrue(yaml.contains("blur_sigma: 0.7") && yaml.contains("jitter: 2"), yaml);
    assertTrue(
        yaml.contains("max_equalized_odds_difference: 0.1")
            && yaml.contains("reference_explanations: train_shap")
            && yaml.contains("min_rank_correlation: 0.9"),
        yaml);
    assertEquals(spec, AuditSpecParser.parse(yaml, "written"));
  }

  @Test
  void unknownKeyIsNamedWithItsLine() {
    String yaml = "input:\n  path: x.csv\noutput: o\ntasks:\n  - type: score\n    modle: m\n";
    SpecException e =
        assertThrows(SpecException.class, () -> AuditSpecParser.parse(yaml, "s.yaml"));
    assertTrue(e.getMessage().startsWith("s.yaml, line 6"), e.getMessage());
    assertTrue(e.getMessage().contains("unknown key 'modle'"), e.getMessage());
    assertTrue(e.getMessage().contains("model"), e.getMessage());
  }

  @Test
  void parallelTasksBelowOneIsRefused() {
    String yaml = "input: {path: x.csv}\noutput: o\nparallel_tasks: 0\ntasks: [{type: profile}]\n";
    AuditSpec spec = AuditSpecParser.parse(yaml, "s.yaml");
    SpecException e = assertThrows(SpecException.class, () -> spec.validate("s.yaml"));
    assertEquals("s.yaml: parallel_tasks is 0; expected 1 or more", e.getMessage());
    AuditSpec three = AuditSpecParser.parse(yaml.replace(": 0", ": 3"), "s.yaml");
    three.validate("s.yaml");
    assertEquals(3, three.parallelTasks);
  }

  @Test
  void malformedYamlIsNamedWithItsLine() {
    String yaml = "input:\n  path: x.csv\ntasks: [\n  - type: score\n";
    SpecException e =
        assertThrows(SpecException.class, () -> AuditSpecParser.parse(yaml, "s.yaml"));
    assertTrue(e.getMessage().matches("(?s)s\\.yaml, line \\d+: malformed spec.*"), e.getMessage());
  }

  @Test
  void wrongTypeOfValueNamesTheKey() {
    String yaml = "input:\n  path: x.csv\n  partitions: many\noutput: o\ntasks: []\n";
    SpecException e =
        assertThrows(SpecException.class, () -> AuditSpecParser.parse(yaml, "s.yaml"));
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("input.partitions"), e.getMessage());
  }

  @Test
  void validationNamesTaskAndProblem() {
    String unknownType = "input: {path: x}\noutput: o\ntasks:\n  - type: explian\n";
    SpecException e =
        assertThrows(SpecException.class, () -> AuditSpecParser.parse(unknownType, "s.yaml"));
    assertTrue(e.getMessage().startsWith("s.yaml, line 4"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("task 1: type is 'explian' (did you mean 'explain'?); expected one of"),
        e.getMessage());
    String typoKey =
        "input: {path: x}\noutput: o\ntasks:\n  - {type: explain, waterfal_rows: [0]}\n";
    e = assertThrows(SpecException.class, () -> AuditSpecParser.parse(typoKey, "s.yaml"));
    assertTrue(
        e.getMessage()
            .contains(
                "unknown key 'waterfal_rows' in 'tasks[1].waterfal_rows' (did you mean"
                    + " 'waterfall_rows'?): an explain task takes no such key"),
        e.getMessage());
    String noType = "input: {path: x}\noutput: o\ntasks:\n  - {method: pca}\n";
    e = assertThrows(SpecException.class, () -> AuditSpecParser.parse(noType, "s.yaml"));
    assertTrue(e.getMessage().contains("task 1: type is 'null'"), e.getMessage());

    String unknownModel =
        "input: {path: x}\nmodels: {a: m1, b: m2}\noutput: o\ntasks:\n  - type: score\n    model: c\n";
    e =
        assertThrows(
            SpecException.class,
            () -> AuditSpecParser.parse(unknownModel, "s.yaml").validate("s.yaml"));
    assertTrue(e.getMessage().contains("model 'c' is not among the models [a, b]"), e.getMessage());
  }

  @Test
  void keysSharedByTwoTaskTypesStayOutOfTheOthers() {
    String head = "input: {path: x, label: y}\nmodels: {m: m1}\noutput: o\ntasks:\n";
    String[][] cases = {
      {
        "  - {type: explain, method: nearest_examples, examples: t, neighbours: 3, scale: false}\n",
        ""
      },
      {"  - {type: explore, method: knn, neighbours: 3}\n", ""},
      {"  - {type: uncertainty, calibration_fraction: 0.3}\n", ""},
      {
        "  - {type: explain, method: lime, neighbours: 3}\n",
        "neighbours does not apply to method lime"
      },
      {"  - {type: score, neighbours: 3}\n", "a score task takes no such key"},
      {"  - {type: uncertainty, search: exact}\n", "an uncertainty task takes no such key"},
      {"  - {type: explore, method: knn, examples: t}\n", "an explore task takes no such key"},
      {"  - {type: data, samples: 3}\n", "a data task takes no such key"},
      {"  - {type: explain, method: nearest_examples}\n", "needs examples"},
    };
    for (String[] c : cases) {
      if (c[1].contains("takes no such key")) {
        // A key of another task type is unknown to this type's class: refused while parsing.
        SpecException e =
            assertThrows(SpecException.class, () -> AuditSpecParser.parse(head + c[0], "s.yaml"));
        assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        assertTrue(e.getMessage().startsWith("s.yaml, line 5"), e.getMessage());
        continue;
      }
      AuditSpec spec = AuditSpecParser.parse(head + c[0], "s.yaml");
      if (c[1].isEmpty()) {
        spec.validate("s.yaml"); // accepted
        continue;
      }
      SpecException e = assertThrows(SpecException.class, () -> spec.validate("s.yaml"), c[0]);
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  @Test
  void everyBundledSpecReadsAndValidates() throws Exception {
    try (var specs = java.nio.file.Files.list(Path.of("conf"))) {
      List<Path> yaml = specs.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertTrue(yaml.size() >= 2, yaml.toString());
      for (Path p : yaml) {
        AuditSpecParser.load(p, null); // as the spec says, its own output
        AuditSpec spec = AuditSpecParser.load(p, "/tmp/unused", List.of(), Map.of());
        assertTrue(!spec.tasks.isEmpty(), p.toString());
      }
    }
  }

  @Test
  void theOnlyModelIsTheDefault() {
    AuditSpec spec =
        AuditSpecParser.parse(
            "input: {path: x}\nmodels: {a: m1}\noutput: o\ntasks:\n  - type: score\n", "s");
    AuditSpec before = AuditSpecParser.parse(AuditSpecParser.write(spec), "s");
    spec.validate("s");
    assertEquals("a", spec.modelOf(spec.tasks.get(0)));
    assertEquals(before, spec, "validating changes nothing");
    assertTrue(spec.tasks.get(0) instanceof ScoreSpec);
  }
}
