package io.trustlens.job;

import java.util.Map;

/**
 * The {@code data} task (and {@code profile}, its short form): profile, missing, fairness or drift
 * of the input table.
 */
final class DataTask implements AuditTask<DataSpec> {

  @Override
  public Map<String, Object> run(AuditRun run, DataSpec task) {
    return switch (DataKeys.method(task)) {
      case "missing" -> new MissingTask().run(run, task);
      case "fairness" -> new FairnessTask().run(run, task);
      case "drift" -> new DriftTask().run(run, task);
      default -> new ProfileTask().run(run, task);
    };
  }

  /** Fails unless the input has every one of {@code columns}, naming the first it lacks. */
  static void requireColumns(AuditRun run, java.util.List<String> columns, String what) {
    var schema = run.input().table().schema();
    for (String c : columns) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new SpecException(
            what
                + " '"
                + c
                + "' is not a column of the input; it has "
                + java.util.List.of(schema.fieldNames()));
      }
    }
  }
}
