package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The keys of a {@code score} task in an audit spec, and only those: scoring the input with a
 * model: predictions, probabilities and raw outputs per row. A key of another task type is unknown
 * here, so a spec naming one fails with its line. Unset keys are null and the task's defaults
 * apply.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ScoreSpec extends AuditSpec.Task {
  /** A task of type score. */
  public ScoreSpec() {
    type = "score";
  }

  /** Rows per model call. */
  public Integer batchSize;
}
