package io.trustlens.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.trustlens.feature.ColumnNames;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import io.trustlens.report.HtmlReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Runs the tasks of an audit spec over one input table and writes the output directory: one table
 * per output, {@code summary.json} and {@code report.html}, committed only when every task ran.
 */
public final class AuditRun {
  /** Exit code of a run whose tasks ran but broke a declared threshold. */
  public static final int THRESHOLD_BROKEN = 3;

  private static final String LOAD_MODELS = ": load models";
  private static final String COMPUTE_AND_WRITE = ": compute and write";
  private static final String REFERENCE_ROWS = ": reference rows";

  /** Runs {@code task} by its type. */
  private Map<String, Object> runTask(AuditSpec.Task task) {
    if (task instanceof ScoreSpec t) {
      return new ScoreTask().run(this, t);
    } else if (task instanceof DataSpec t) {
      return new DataTask().run(this, t);
    } else if (task instanceof ExplainSpec t) {
      return new ExplainTask().run(this, t);
    } else if (task instanceof ExploreSpec t) {
      return new ExploreTask().run(this, t);
    } else if (task instanceof UncertaintySpec t) {
      return new UncertaintyTask().run(this, t);
    }
    throw new IllegalStateException("no task runs type " + task.type);
  }

  private final SparkSession spark;
  private final AuditSpec spec;
  private final String command;

  /** Shared by the run and its tasks' views: the models loaded (guarded by itself), the tables. */
  private final Map<String, LoadedModel> models;

  private final Map<String, StructType> written;

  /** The run's own, or a task view's, merged into the run's in task order. */
  private final List<Map<String, Object>> thresholds = new ArrayList<>();

  private final List<String> warnings = new ArrayList<>();

  /** What was read while the session started, when the run was started so; else null. */
  private final EarlyReads early;

  private final Phases phases = new Phases();
  private String phasePrefix = "";
  private String taskName = "";
  private InputTable input;
  private ModelPrefetch prefetch;
  private OutputDirectory output;
  private HtmlReport report;

  /** A run of {@code spec}; {@code command} is what the user ran, for the summary. */
  public AuditRun(SparkSession spark, AuditSpec spec, String command) {
    this(spark, spec, command, null);
  }

  /**
   * A run of {@code spec} on the session {@code options} starts for {@code app}, what the run reads
   * without a session ({@link EarlyReads}) read while Spark starts it: only when Spark has no
   * session yet, since a running one (a notebook's, the tests') is reused at once, with nothing to
   * overlap. (Begun earlier, before Spark's builder sets up its objects, the reads slowed that
   * set-up by as much as they saved.)
   */
  static AuditRun starting(SparkOptions options, String app, AuditSpec spec, String command) {
    EarlyReads[] early = new EarlyReads[1];
    SparkSession spark =
        options.session(
            app,
            () -> {
              if (SparkSession.getActiveSession().isEmpty()
                  && SparkSession.getDefaultSession().isEmpty()) {
                early[0] = EarlyReads.start(options.expectedConf(), spec);
              }
            });
    return new AuditRun(spark, spec, command, early[0]);
  }

  /**
   * A run of {@code spec} on {@code spark} that takes what {@code early} read where it matches the
   * session, as a run {@link #starting} a session does.
   */
  AuditRun(SparkSession spark, AuditSpec spec, String command, EarlyReads early) {
    this.early = early;
    this.spark = spark;
    this.spec = spec;
    this.command = command;
    this.models = new LinkedHashMap<>();
    this.written = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  }

  /**
   * The view task {@code index} of {@code run} works through: the run's session, spec, input,
   * output and models, and a report, phases, warnings and thresholds of its own, merged into the
   * run's in task order when every task has run (tasks may run at once: {@link TaskLanes}).
   */
  private AuditRun(AuditRun run, int index) {
    this.early = null;
    this.spark = run.spark;
    this.spec = run.spec;
    this.command = run.command;
    this.models = run.models;
    this.written = run.written;
    this.input = run.input;
    this.prefetch = run.prefetch;
    this.output = run.output;
    this.report = new HtmlReport(run.spec.name);
    AuditSpec.Task task = spec.tasks.get(index);
    this.phasePrefix = "task " + (index + 1) + " (" + task.type + ")";
    this.taskName = TaskFailure.name(spec, index, command.equals("audit"));
  }

  /** Runs every task; returns 0, or {@link #THRESHOLD_BROKEN} when a threshold was broken. */
  public int run(boolean overwrite) {
    long start = System.nanoTime();
    Instant started = Instant.now();
    phases.since(
        TrustLens.commandStart(),
        "start: JVM, arguments",
        "start: Spark session",
        SparkOptions.lastStartSeconds());
    Baseline baseline = spec.baseline == null ? null : Baseline.read(spec.baseline.path);
    EarlyReads ahead = early != null && early.matches(spark) ? early : null;
    try (OutputDirectory out =
            OutputDirectory.open(spark, spec.output, overwrite, InterpretedPlans.readPaths(spec));
        InterpretedPlans plans = InterpretedPlans.forRun(spark, spec);
        JobDescription jobs = JobDescription.start(spark, "TrustLens " + command, "load models");
        ModelPrefetch prefetch =
            ModelPrefetch.start(spark, spec, () -> ahead == null ? Map.of() : ahead.models())) {
      jobs.step("read input");
      this.output = out;
      this.prefetch = prefetch;
      this.input =
          phases.time(
              "read input: files, schema, row count",
              () ->
                  InputTable.read(
                      spark,
                      spec.input,
                      plans.smallTables(),
                      ahead == null ? null : ahead.input()));
      input.readNotes().forEach(m -> warn("input", m)); // before a task fails on what they say
      this.report = new HtmlReport("TrustLens audit: " + spec.name);
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("name", spec.name);
      summary.put("command", command);
      summary.put("started", started.toString());
      summary.put("seed", spec.seed);
      summary.put("versions", Versions.all(spark));
      summary.put("spark_plans", plans.describe());
      Map<String, Object> in = new LinkedHashMap<>();
      in.put("path", spec.input.path);
      in.put("format", InputTable.format(spec.input));
      in.put("id", spec.input.id);
      in.put("label", spec.input.label);
      in.put("columns", List.of(input.table().schema().fieldNames()));
      in.put("rows", input.rows());
      in.put("partitions", input.partitions());
      summary.put("input", in);
      summary.put("read_while_spark_started", null); // known once the tasks have their models
      report.section("Run").keyValues(runFacts(in));
      requireCapabilities();
      long tasksStart = System.nanoTime();
      List<Map<String, Object>> taskSummaries = runTasks(jobs);
      summary.put("read_while_spark_started", readEarly());
      double tasksSeconds = seconds(tasksStart);
      input.unusedOptions().forEach(m -> warn("input", m));
      Map<String, Object> lanes = new LinkedHashMap<>(); // in this order in the summary
      lanes.put("at_once", lanesUsed());
      lanes.put("seconds", tasksSeconds);
      summary.put("task_lanes", lanes);
      jobs.step("summary and report");
      summary.put("models", modelSummaries());
      summary.put("tasks", taskSummaries);
      if (baseline != null) {
        summary.put("baseline", compare(baseline, taskSummaries));
      }
      summary.put("thresholds", thresholds);
      summary.put("warnings", warnings);
      boolean broken = thresholds.stream().anyMatch(t -> !(Boolean) t.get("passed"));
      summary.put("status", broken ? "thresholds broken" : "ok");
      summary.put("seconds", seconds(start));
      thresholdSection(broken);
      long t0 = System.nanoTime();
      timeSection(tasksSeconds);
      String html = report.render();
      phases.add("report and summary", (System.nanoTime() - t0) / 1e9);
      summary.put("phases", phases.toList());
      out.writeText("summary.json", json(summary));
      out.writeText("report.html", html);
      out.commit();
      System.out.println(headline(taskSummaries, broken, seconds(start), out.target()));
      return broken ? THRESHOLD_BROKEN : 0;
    }
  }

  /**
   * Runs the tasks, up to the spec's {@code parallel_tasks} at a time, each through a view of its
   * own; merges their report sections, phases, warnings and thresholds in task order; returns their
   * summaries in task order.
   */
  private List<Map<String, Object>> runTasks(JobDescription jobs) {
    List<AuditRun> views = new ArrayList<>();
    for (int i = 0; i < spec.tasks.size(); i++) {
      views.add(new AuditRun(this, i));
    }
    List<Map<String, Object>> summaries =
        new TaskLanes(spark, spec.parallelTasks)
            .run(
                views.size(),
                i -> spec.tasks.get(i).readsEarlierOutputs(),
                i -> views.get(i).runOne(i, jobs));
    for (AuditRun view : views) {
      report.append(view.report);
      phases.addAll(view.phases);
      warnings.addAll(view.warnings);
      thresholds.addAll(view.thresholds);
    }
    return summaries;
  }

  /** Runs task {@code index} through this view; returns its summary. */
  private Map<String, Object> runOne(int index, JobDescription jobs) {
    AuditSpec.Task task = spec.tasks.get(index);
    long t0 = System.nanoTime();
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("type", task.type);
    entry.put("parameters", new ObjectMapper().convertValue(task, Map.class));
    jobs.step(taskName);
    try {
      entry.putAll(runTask(task));
    } catch (Exception e) { // a Spark job's failure is a checked SparkException, undeclared
      throw new TaskFailure(taskName, e);
    } finally {
      input.drainNotes().forEach(this::warn);
    }
    entry.put("seconds", seconds(t0));
    double rest =
        seconds(t0)
            - phases.of(phasePrefix + LOAD_MODELS)
            - phases.of(phasePrefix + REFERENCE_ROWS)
            - phases.of(phasePrefix + COMPUTE_AND_WRITE);
    phases.add(phasePrefix + ": summaries and figures", Math.max(0, rest));
    return entry;
  }

  /**
   * What a successful run prints: where its output and report are, and one line of headline figures
   * (the tasks, the rows, the time, and any threshold broken).
   */
  private String headline(
      List<Map<String, Object>> tasks, boolean broken, double seconds, String target) {
    String where = target.startsWith("file:") ? target.substring("file:".length()) : target;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < spec.tasks.size(); i++) {
      AuditSpec.Task t = spec.tasks.get(i);
      names.add(t.type + (t.method() != null ? " " + t.method() : ""));
    }
    long brokenCount = thresholds.stream().filter(t -> !(Boolean) t.get("passed")).count();
    return String.format(
        java.util.Locale.ROOT,
        "trustlens: wrote %s (report: %s/report.html)%ntrustlens: %s: %s on %,d %s in %.1f s%s",
        where,
        where,
        broken ? "thresholds broken" : "ok",
        String.join(", ", names),
        input.rows(),
        input.rows() == 1 ? "row" : "rows",
        seconds,
        broken ? "; " + brokenCount + " threshold(s) broken (see summary.json)" : "");
  }

  /** Compares with the baseline run: a report section, thresholds, the summary's entry. */
  private Map<String, Object> compare(Baseline baseline, List<Map<String, Object>> tasks) {
    Baseline.Comparison c = baseline.compare(tasks, spec.tasks);
    Baseline.section(report, c);
    if (spec.baseline.maxChange != null) {
      double v = c.largestChange();
      threshold(
          "baseline",
          "largest relative change of a figure against " + spec.baseline.path,
          spec.baseline.maxChange,
          v,
          v <= spec.baseline.maxChange);
    }
    if (spec.baseline.minRankCorrelation != null) {
      double v = c.smallestCorrelation();
      threshold(
          "baseline",
          "smallest rank correlation of global importance against " + spec.baseline.path,
          spec.baseline.minRankCorrelation,
          v,
          v >= spec.baseline.minRankCorrelation);
    }
    return Baseline.summary(c);
  }

  private Map<String, Object> runFacts(Map<String, Object> in) {
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("command", command);
    facts.put("input", spec.input.path);
    facts.put("rows", in.get("rows"));
    facts.put("columns", ((List<?>) in.get("columns")).size());
    facts.put("models", spec.models.isEmpty() ? "none" : String.join(", ", spec.models.values()));
    facts.put("seed", spec.seed);
    facts.put("output", output.target());
    return facts;
  }

  /**
   * Loads the model of every explain task whose method needs a kind of model (tree, linear, the
   * gradient family) and fails now, naming the task, when the model is not of that kind: no task
   * runs for minutes before a later one is refused.
   */
  private void requireCapabilities() {
    for (int i = 0; i < spec.tasks.size(); i++) {
      AuditSpec.Task task = spec.tasks.get(i);
      if (!"explain".equals(task.type) || spec.modelOf(task) == null || task.method() == null) {
        continue;
      }
      boolean gradient = ExplainKeys.isGradient(task.method());
      if (!gradient && !task.method().equals("tree") && !task.method().equals("linear")) {
        continue;
      }
      String name = TaskFailure.name(spec, i, command.equals("audit"));
      phasePrefix = "checks before the tasks";
      try {
        ModelInfo info = model(spec.modelOf(task)).info();
        if (gradient
            && !info.capabilities().contains(io.trustlens.model.Capability.DIFFERENTIABLE)) {
          model(spec.modelOf(task)).source().openDifferentiable(); // throws, naming what applies
        }
        io.trustlens.explain.shap.ShapExplainer.requireCapability(task.method(), info);
      } catch (RuntimeException e) {
        throw new TaskFailure(
            spec.tasks.size() > 1 ? name + " (checked before any task ran)" : name, e);
      } finally {
        phasePrefix = "";
      }
    }
  }

  /** How many tasks ran at once at most: the spec's {@code parallel_tasks}, at most the tasks. */
  private int lanesUsed() {
    return Math.min(spec.parallelTasks, spec.tasks.size());
  }

  /**
   * The report's last section: the phases so far (the summary also has the report's own), and the
   * tasks' wall time when they ran at once.
   */
  private void timeSection(double tasksSeconds) {
    List<List<Object>> rows = new ArrayList<>();
    for (Map<String, Object> p : phases.toList()) {
      rows.add(
          List.of(p.get("phase"), String.format(java.util.Locale.ROOT, "%.3f", p.get("seconds"))));
    }
    report
        .section("Where the time went")
        .paragraph(
            "Wall seconds per phase, in the order they ran (Spark computes lazily: a task's"
                + " computation is timed with its writes)."
                + (lanesUsed() > 1
                    ? " The tasks ran "
                        + lanesUsed()
                        + " at a time, so their phases overlap: all of them took "
                        + String.format(java.util.Locale.ROOT, "%.3f", tasksSeconds)
                        + " s of wall time."
                    : ""),
            "")
        .table(List.of("phase", "seconds"), rows);
  }

  private void thresholdSection(boolean broken) {
    if (thresholds.isEmpty()) {
      return;
    }
    List<List<Object>> rows = new ArrayList<>();
    for (Map<String, Object> t : thresholds) {
      rows.add(
          List.of(
              t.get("task"),
              t.get("check"),
              t.get("limit"),
              t.get("value"),
              new io.trustlens.report.HtmlReport.Verdict((Boolean) t.get("passed"))));
    }
    report
        .sectionFirst("Thresholds")
        .paragraph(
            broken ? "At least one threshold is broken." : "Every threshold holds.",
            broken ? "fail" : "ok")
        .table(List.of("task", "check", "limit", "value", "result"), rows);
  }

  /**
   * What the run took of the reads done while Spark started its session ({@link EarlyReads}): the
   * input, and each model all of whose locations were read then.
   */
  private List<String> readEarly() {
    List<String> taken = new ArrayList<>();
    if (input.parsedEarly()) {
      taken.add("input");
    }
    prefetch.takenFromRead().forEach(name -> taken.add("model " + name));
    return taken;
  }

  private List<Map<String, Object>> modelSummaries() {
    List<Map<String, Object>> list = new ArrayList<>();
    models.forEach(
        (name, m) -> {
          ModelInfo info = m.info();
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("name", name);
          e.put("location", spec.models.get(name));
          e.put("type", info.type());
          e.put(
              "pipeline_stages",
              m.featureStages().stream().map(s -> s.getClass().getSimpleName()).toList());
          e.put("input_size", info.inputSize());
          e.put("output", info.kind().name().toLowerCase(java.util.Locale.ROOT));
          e.put("outputs", info.outputNames());
          e.put(
              "capabilities",
              info.capabilities().stream()
                  .map(c -> c.name().toLowerCase(java.util.Locale.ROOT))
                  .toList());
          list.add(e);
        });
    return list;
  }

  /** The session. */
  SparkSession spark() {
    return spark;
  }

  /** The spec being run. */
  AuditSpec spec() {
    return spec;
  }

  /** The input table. */
  InputTable input() {
    return input;
  }

  /** The report being built. */
  HtmlReport report() {
    return report;
  }

  /** The model named {@code name} in the spec, loaded once per run. */
  LoadedModel model(String name) {
    synchronized (models) {
      return loadModel(name);
    }
  }

  private LoadedModel loadModel(String name) {
    LoadedModel loaded = models.get(name);
    if (loaded == null) {
      List<String> locations = List.of(spec.models.get(name).split(","));
      loaded =
          phases.time(
              phasePrefix + LOAD_MODELS,
              () -> {
                LoadedModel ahead = prefetch == null ? null : prefetch.take(name);
                return ahead != null
                    ? ahead
                    : new ModelLoader(spark)
                        .loadAll(locations, input.featureCountHint(), OutputKind.LOGIT);
              });
      models.put(name, loaded);
    }
    return loaded;
  }

  /**
   * Runs {@code work}, a task's draw of the reference rows it explains against (a background, or
   * LIME's statistics' rows), as a phase of its own: a pass over a table before the computation.
   */
  <T> T referenceRows(java.util.function.Supplier<T> work) {
    return phases.time(phasePrefix + REFERENCE_ROWS, work);
  }

  /** The final path of the output table {@code name}. */
  String outputPath(String name) {
    return output.target() + "/" + name;
  }

  /** Writes a table into the output directory; returns its final path. */
  String writeTable(String name, Dataset<Row> table) {
    return writeTable(name, () -> table);
  }

  /**
   * Writes the table {@code table} gives (asked for inside the phase's clock: making it may run
   * work, such as a shuffle planned before a pass folded into the write); returns its final path.
   */
  String writeTable(String name, java.util.function.Supplier<Dataset<Row>> made) {
    OutputFormat format = OutputFormat.named(spec.outputFormat);
    Dataset<Row> table =
        phases.time(
            phasePrefix + COMPUTE_AND_WRITE,
            () -> {
              Dataset<Row> t = made.get();
              format.write(name, t, output.resolve(name));
              return t;
            });
    if (format != OutputFormat.PARQUET) {
      // JSON and CSV do not record types or column metadata; readers skip names starting with _.
      output.writeText(name + "/_schema.json", table.schema().prettyJson() + "\n");
    }
    written.put(name, table.schema());
    return output.target() + "/" + name;
  }

  /**
   * Writes the input table's columns plus the columns {@code result} added to {@code prepared} (the
   * table after a pipeline's feature stages, whose own columns are left out).
   */
  String writeAppended(String name, Dataset<Row> prepared, Dataset<Row> result) {
    return writeTable(name, appended(prepared, result));
  }

  /**
   * The table {@link #writeAppended} writes: the input table's columns plus the columns {@code
   * result} added to {@code prepared}.
   */
  Dataset<Row> appended(Dataset<Row> prepared, Dataset<Row> result) {
    return result.select(
        appendedColumns(prepared, result).toArray(new org.apache.spark.sql.Column[0]));
  }

  /** The columns of {@link #appended}, each a column of {@code result} by name. */
  List<org.apache.spark.sql.Column> appendedColumns(Dataset<Row> prepared, Dataset<Row> result) {
    List<org.apache.spark.sql.Column> keep = new ArrayList<>();
    List<String> before = List.of(prepared.columns());
    for (String c : input.table().columns()) {
      keep.add(
          c.equals(spec.input.label) && before.contains(InputTable.LABEL_NAMES)
              ? ColumnNames.col(InputTable.LABEL_NAMES).as(c) // the names, not their indices
              : ColumnNames.col(c));
    }
    for (String c : result.columns()) {
      if (!before.contains(c)) {
        keep.add(ColumnNames.col(c));
      }
    }
    return keep;
  }

  /** Saves a fitted Spark ML stage into the output directory; returns its final path. */
  String saveStage(String name, org.apache.spark.ml.util.MLWritable stage) {
    long t0 = System.nanoTime();
    try {
      stage.write().save(output.resolve(name));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot save " + name + ": " + e.getMessage(), e);
    } finally {
      phases.add(phasePrefix + COMPUTE_AND_WRITE, (System.nanoTime() - t0) / 1e9);
    }
    return output.target() + "/" + name;
  }

  /**
   * Reads another table a task names ({@code what}: reference, background, examples), its reading
   * notes (a CSV column's missing-value markers read as nulls) warned as the input's are.
   */
  InputTable readOther(AuditSpec.Input other, String what) {
    InputTable table = InputTable.read(spark, other);
    table.readNotes().forEach(m -> warn(what + " table " + other.path + ": " + m));
    return table;
  }

  /** Prints a warning about the running task now and records it in the summary. */
  void warn(String message) {
    warn(taskName, message);
  }

  /** Prints a warning about {@code task} now and records it in the summary. */
  void warn(String task, String message) {
    String line = task + ": " + message;
    System.err.println("trustlens: warning: " + line);
    warnings.add(line);
  }

  /** Whether this run wrote a table named {@code name}. */
  boolean wrote(String name) {
    return written.containsKey(name);
  }

  /** Reads back a table written in this run, before the commit, with the schema it was written. */
  Dataset<Row> readWritten(String name) {
    return OutputFormat.named(spec.outputFormat)
        .read(spark, written.get(name), output.resolve(name));
  }

  /** Records a threshold check. */
  void threshold(String task, String check, double limit, double value, boolean passed) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("task", task);
    t.put("check", check);
    t.put("limit", limit);
    t.put("value", value);
    t.put("passed", passed);
    thresholds.add(t);
  }

  private static double seconds(long startNanos) {
    return Math.round((System.nanoTime() - startNanos) / 1e6) / 1e3;
  }

  private static String json(Object value) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
