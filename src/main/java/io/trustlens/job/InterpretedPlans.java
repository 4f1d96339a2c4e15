package io.trustlens.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;

/**
 * Runs Spark's query plans interpreted, without compiling them, while a run reads only small
 * tables. Spark compiles each new plan to Java bytecode (whole-stage code generation and generated
 * projections, through janino) before running it; in a fresh JVM the compiling costs more than it
 * saves on a few thousand rows. Measured on a quiet 2-core machine, wall time of the whole command,
 * compiled against interpreted: {@code explain --method tree} on breast_cancer.csv (569 rows, 120
 * KB) 10.1-10.5 s against 9.1-9.7 s; the demo audit (2,000 rows, four tasks) 16.5-17.6 s against
 * 14.7-16.1 s; {@code score} on 10,000 rows (290 KB) 13.3-14.0 against 12.9-13.6 s; on 50,000 rows
 * (1.5 MB) even; on 400,000 rows (12 MB) interpreted was 3 s slower. So a run whose tables add up
 * to at most {@link #SMALL_TABLES_BYTES} on disk runs interpreted; the output is the same bits
 * either way (Spark's interpreted and generated expressions compute alike; pinned by a test).
 *
 * <p>The settings go into the session and into the run thread's local properties: a job started
 * from a Dataset action carries the session's settings to its tasks, but a job on a plan's RDD
 * ({@code queryExecution().toRdd()}, the way TrustLens's own passes read a table) carries only the
 * thread's local properties, and without them its tasks generated code for the rows' conversions
 * (the demo audit: five classes compiled, the first 0.25 s in a young JVM).
 *
 * <p>The tables counted are the input and every other existing file or folder a task names (a drift
 * reference, a training table). Either setting given by the user ({@code --conf
 * spark.sql.codegen.wholeStage=...} or {@code spark.sql.codegen.factoryMode}) leaves both alone.
 * The session's settings are put back when the run ends; runs sharing one session at once share the
 * setting too (which changes their speed, not their output).
 */
final class InterpretedPlans implements AutoCloseable {
  /** The most bytes on disk of a run's tables for its plans to run interpreted. */
  static final long SMALL_TABLES_BYTES = 512L << 10;

  static final String WHOLE_STAGE = SQLConf.WHOLESTAGE_CODEGEN_ENABLED().key();
  static final String FACTORY_MODE = SQLConf.CODEGEN_FACTORY_MODE().key();

  private final SparkSession spark;
  private final String[] threadBefore;
  private final boolean given;
  private final boolean interpreted;
  private final long bytes;

  private InterpretedPlans(SparkSession spark, boolean given, boolean interpreted, long bytes) {
    this.spark = spark;
    this.threadBefore =
        new String[] {
          spark.sparkContext().getLocalProperty(WHOLE_STAGE),
          spark.sparkContext().getLocalProperty(FACTORY_MODE)
        };
    this.given = given;
    this.interpreted = interpreted;
    this.bytes = bytes;
  }

  /** Switches {@code spark} to interpreted plans if the tables {@code spec} reads are small. */
  static InterpretedPlans forRun(SparkSession spark, AuditSpec spec) {
    SQLConf conf = spark.sessionState().conf();
    boolean given = conf.contains(WHOLE_STAGE) || conf.contains(FACTORY_MODE);
    long bytes = tableBytes(spark.sparkContext().hadoopConfiguration(), spec);
    boolean interpreted = !given && bytes >= 0 && bytes <= SMALL_TABLES_BYTES;
    InterpretedPlans plans = new InterpretedPlans(spark, given, interpreted, bytes);
    if (interpreted) {
      spark.conf().set(WHOLE_STAGE, "false");
      spark.conf().set(FACTORY_MODE, "NO_CODEGEN");
      spark.sparkContext().setLocalProperty(WHOLE_STAGE, "false");
      spark.sparkContext().setLocalProperty(FACTORY_MODE, "NO_CODEGEN");
    }
    return plans;
  }

  /** Whether the run's tables add up to at most {@link #SMALL_TABLES_BYTES}. */
  boolean smallTables() {
    return bytes >= 0 && bytes <= SMALL_TABLES_BYTES;
  }

  /** Whether this run's plans run interpreted. */
  boolean interpreted() {
    return interpreted;
  }

  /** For the summary: how Spark runs this run's plans, and why. */
  String describe() {
    if (given) {
      return "as the Spark settings given say";
    }
    if (bytes < 0) {
      return "compiled (the tables' size unknown)";
    }
    return (interpreted ? "interpreted" : "compiled")
        + " (tables of "
        + bytes
        + " bytes; interpreted up to "
        + SMALL_TABLES_BYTES
        + ")";
  }

  @Override
  public void close() {
    if (interpreted) {
      spark.conf().unset(WHOLE_STAGE);
      spark.conf().unset(FACTORY_MODE);
      spark.sparkContext().setLocalProperty(WHOLE_STAGE, threadBefore[0]); // null removes it
      spark.sparkContext().setLocalProperty(FACTORY_MODE, threadBefore[1]);
    }
  }

  /**
   * The bytes on disk of the input and of every other existing path a task names, or -1 when one
   * cannot be measured (then the run stays compiled).
   */
  static long tableBytes(Configuration hadoop, AuditSpec spec) {
    Set<String> paths = new LinkedHashSet<>();
    paths.add(spec.input.path);
    ObjectMapper mapper = new ObjectMapper();
    for (AuditSpec.Task task : spec.tasks) {
      strings(mapper.valueToTree(task), paths);
    }
    return bytes(hadoop, paths, spec.input.path);
  }

  /**
   * Every string of {@code spec} that could name a path the run reads: the input, the models and
   * every task's (existing or not). Not the baseline: its summary is read before the output is
   * opened, so a run may replace the run it compares itself with.
   */
  static Set<String> readPaths(AuditSpec spec) {
    Set<String> paths = new LinkedHashSet<>();
    paths.add(spec.input.path);
    paths.addAll(spec.models.values());
    ObjectMapper mapper = new ObjectMapper();
    for (AuditSpec.Task task : spec.tasks) {
      strings(mapper.valueToTree(task), paths);
    }
    return paths;
  }

  private static long bytes(Configuration hadoop, Set<String> paths, String input) {
    long total = 0;
    for (String p : paths) {
      try {
        Path path = new Path(p);
        org.apache.hadoop.fs.FileSystem fs = path.getFileSystem(hadoop);
        org.apache.hadoop.fs.FileStatus[] matched =
            InputTable.isPattern(p) ? fs.globStatus(path) : null;
        if (matched != null && matched.length > 0) {
          for (org.apache.hadoop.fs.FileStatus m : matched) {
            total += fs.getContentSummary(m.getPath()).getLength();
          }
        } else if (fs.exists(path)) {
          total += fs.getContentSummary(path).getLength();
        } else if (p.equals(input)) {
          return -1; // reading it fails with its own message
        }
      } catch (IOException | IllegalArgumentException e) {
        return -1;
      }
    }
    return total;
  }

  /** Every string in {@code node} that could name a path. */
  private static void strings(JsonNode node, Set<String> into) {
    List<JsonNode> todo = new ArrayList<>(List.of(node));
    while (!todo.isEmpty()) {
      JsonNode n = todo.remove(todo.size() - 1);
      if (n.isTextual() && (n.asText().contains("/") || n.asText().contains("."))) {
        into.add(n.asText());
      }
      n.elements().forEachRemaining(todo::add);
    }
  }
}
