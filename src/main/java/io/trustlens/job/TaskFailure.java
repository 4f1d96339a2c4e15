package io.trustlens.job;

/**
 * A task's failure, its message led by which task failed ("task 2 (explain tree): ..."), then the
 * most specific message of its cause, whether the task's driver code threw it or a Spark job failed
 * with it on an executor.
 */
final class TaskFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TaskFailure(String task, Exception cause) {
    super(task + ": " + UserErrors.message(cause), cause);
  }

  /** How a run names its task {@code index} (0-based) in errors. */
  static String name(AuditSpec spec, int index, boolean audit) {
    AuditSpec.Task t = spec.tasks.get(index);
    String what =
        t.type
            + (t.method() != null ? " " + t.method() : "")
            + (t.name != null ? " '" + t.name + "'" : "");
    return audit || spec.tasks.size() > 1 ? "task " + (index + 1) + " (" + what + ")" : what;
  }
}
