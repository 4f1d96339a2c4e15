package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
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

  /**
   * How many tasks run at once (each task's Spark jobs and its driver-side work beside another's);
   * 1 runs them one after another. Their outputs, summaries and reports are the same either way.
   */
  public Integer parallelTasks = 2;

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

  /**
   * One task: its type picks the class that holds its keys ({@link ScoreSpec}, {@link DataSpec} for
   * data and profile, {@link ExplainSpec}, {@link ExploreSpec}, {@link UncertaintySpec}).
   */
  @JsonTypeInfo(
      use = JsonTypeInfo.Id.NAME,
      include = JsonTypeInfo.As.EXISTING_PROPERTY,
      property = "type",
      visible = true)
  @JsonSubTypes({
    @JsonSubTypes.Type(value = ScoreSpec.class, name = "score"),
    @JsonSubTypes.Type(
        value = DataSpec.class,
        names = {"data", "profile"}),
    @JsonSubTypes.Type(value = ExplainSpec.class, name = "explain"),
    @JsonSubTypes.Type(value = ExploreSpec.class, name = "explore"),
    @JsonSubTypes.Type(value = UncertaintySpec.class, name = "uncertainty")
  })
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public abstract static sealed class Task
      permits ScoreSpec, DataSpec, ExplainSpec, ExploreSpec, UncertaintySpec {
    private static final com.fasterxml.jackson.databind.ObjectMapper KEYS =
        new com.fasterxml.jackson.databind.ObjectMapper();

    /** score, profile (short for data with method profile), data, explain, explore, uncertainty. */
    public String type;

    /** The name of the task's output table (default: the type, or predictions for score). */
    public String name;

    /** score, explain, uncertainty, explore: the model's name in {@code models}. */
    public String model;

    /** The method the task runs, for the task types that take one; null otherwise or unset. */
    public String method() {
      return null;
    }

    /**
     * Whether the task may read what an earlier task of the audit wrote (it names an earlier task's
     * output): it then starts only once every earlier task has ended.
     */
    public boolean readsEarlierOutputs() {
      return false;
    }

    /** Equal when of one type with the same keys set to the same values. */
    @Override
    public boolean equals(Object o) {
      return o != null
          && o.getClass() == getClass()
          && KEYS.valueToTree(this).equals(KEYS.valueToTree(o));
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(type, name, model);
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
        && Objects.equals(parallelTasks, s.parallelTasks)
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
    if (parallelTasks == null || parallelTasks < 1) {
      throw new SpecException(
          source + ": parallel_tasks is " + parallelTasks + "; expected 1 or more");
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
      if (t instanceof DataSpec d) {
        if (d.type.equals("profile") && d.method != null) {
          throw new SpecException(
              where
                  + " (profile): the key method does not apply; profile is data with method"
                  + " profile");
        }
        DataKeys.validate(d, where);
      } else if (t instanceof UncertaintySpec u) {
        UncertaintyKeys.validate(u, where);
        UncertaintyKeys.requireLabelOrMembers(u, where, input.label, models.get(modelOf(u)));
      } else if (t instanceof ExploreSpec e) {
        ExploreKeys.validate(e, where);
      } else if (t instanceof ExplainSpec e) {
        ExplainKeys.validate(e, where);
        if (e.permutedModel != null && !models.containsKey(e.permutedModel)) {
          throw new SpecException(
              where
                  + " (explain): permuted_model '"
                  + e.permutedModel
                  + "' is not among the models "
                  + models.keySet());
        }
      }
      boolean needsModel =
          t instanceof ScoreSpec || t instanceof ExplainSpec || t instanceof UncertaintySpec;
      String model = needsModel ? modelOf(t) : t.model;
      if ((needsModel || model != null) && (model == null || !models.containsKey(model))) {
        throw new SpecException(
            where
                + " ("
                + t.type
                + "): model '"
                + model
                + "' is not among the models "
                + models.keySet());
      }
    }
  }

  /**
   * The name in {@code models} of the model {@code task} runs: its own key, or the only model when
   * the spec names one and the task none.
   */
  public String modelOf(Task task) {
    if (task.model == null && models.size() == 1) {
      return models.keySet().iterator().next();
    }
    return task.model;
  }
}
