package io.trustlens.job;

import java.util.Map;

/** One kind of task an audit spec can list, run from its typed keys {@code T}. */
interface AuditTask<T extends AuditSpec.Task> {

  /**
   * Runs the task: writes its tables, adds its report section, records its thresholds.
   *
   * @return what the task adds to its entry in {@code summary.json}
   */
  Map<String, Object> run(AuditRun run, T task);
}
