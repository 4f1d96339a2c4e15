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
  public static final List<String> TASK_TYPES = List.of("score", "profile", "explain");

  public String name = "audit";
  public Input input;
  public Map<String, String> models = new LinkedHashMap<>();
  public String output;
  public String outputFormat = "parquet";
  public Long seed = 42L;
  public List<Task> tasks = new ArrayList<>();

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
    /** score or profile. */
    public String type;

    /** The name of the task's output table (default: the type, or predictions for score). */
    public String name;

    /** score: the model's name in {@code models}. */
    public String model;

    /** score: rows per model call. */
    public Integer batchSize;

    /** profile: the largest share of null or NaN values a column may have (a threshold). */
    public Double maxMissingFraction;

    /**
     * explain: exact, kernel, permutation, linear, tree or tree_interventional (default kernel).
     */
    public String method;

    /** explain: coalitions (kernel) or orders (permutation); default per method. */
    public Integer samples;

    /** explain: rows to sample (100), kmeans:K, or the path of a background table. */
    public String background;

    /** explain: predicted (default), or a class index or output name. */
    public String target;

    /** explain: ids of rows to draw as waterfalls in the report. */
    public List<String> waterfallRows;

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
          && Objects.equals(waterfallRows, t.waterfallRows);
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
        && Objects.equals(tasks, s.tasks);
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
    if (!List.of("parquet", "json").contains(outputFormat)) {
      throw new SpecException(
          source + ": output_format is '" + outputFormat + "'; expected parquet or json");
    }
    if (!List.of("error", "skip").contains(input.onInvalid)) {
      throw new SpecException(
          source + ": input.on_invalid is '" + input.onInvalid + "'; expected error or skip");
    }
    if (tasks.isEmpty()) {
      throw new SpecException(source + ": 'tasks' lists no task");
    }
    for (int i = 0; i < tasks.size(); i++) {
      Task t = tasks.get(i);
      String where = source + ": task " + (i + 1);
      if (t.type == null || !TASK_TYPES.contains(t.type)) {
        throw new SpecException(
            where + ": type is '" + t.type + "'; expected one of " + TASK_TYPES);
      }
      boolean explain = t.type.equals("explain");
      if (!explain
          && (t.method != null
              || t.samples != null
              || t.background != null
              || t.target != null
              || t.waterfallRows != null)) {
        throw new SpecException(
            where
                + " ("
                + t.type
                + "): method, samples, background, target and waterfall_rows apply to explain");
      }
      if (explain
          && t.method != null
          && !io.trustlens.explain.shap.ShapExplainer.METHODS.contains(t.method)) {
        throw new SpecException(
            where
                + " (explain): method is '"
                + t.method
                + "'; expected one of "
                + io.trustlens.explain.shap.ShapExplainer.METHODS);
      }
      if (t.type.equals("score") || explain) {
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
      } else if (t.model != null) {
        throw new SpecException(
            where + " (" + t.type + "): the key model applies to score and explain only");
      }
      if (!t.type.equals("score") && t.batchSize != null) {
        throw new SpecException(where + " (" + t.type + "): batch_size applies to score only");
      }
      if (!t.type.equals("profile") && t.maxMissingFraction != null) {
        throw new SpecException(
            where + " (" + t.type + "): max_missing_fraction applies to profile only");
      }
    }
  }
}
