package io.trustlens.job;

import io.trustlens.model.ModelLoader;
import io.trustlens.model.SavedMllibReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;
import scala.Tuple2;

/**
 * What a run reads before its Spark session is up, on a thread of its own while Spark starts the
 * session: a small CSV input parsed ({@link SmallCsv#parse}) and the saved MLlib models of its
 * score and explain tasks read ({@link SavedMllibReader#withoutSession}). Neither needs a session,
 * only the Hadoop configuration and the SQL settings the session will have, both made from the
 * settings it is started with ({@link SparkOptions#expectedConf}) as Spark makes them. Measured on
 * the demo audit (2-core machine, six pairs against the build before): the read phase 0.15-0.23 s
 * against 0.31-0.49 s, the wait for models 0.00-0.05 s against 0.00-0.15 s, TrustLens's own work
 * 3.4-4.1 s against 3.6-4.5 s; the whole command the same within the noise (6.5-7.9 s against
 * 6.8-8.3 s): on two cores the session's start already keeps the second core partly busy.
 *
 * <p>Invariant: the run uses what was read here only when the session it got has the SQL settings
 * the reads assumed ({@link #matches}: a session started meanwhile by another thread, or one a
 * caller passes, may have others) and lets the table and models be read on the driver; otherwise,
 * and for whatever failed here, it reads as it would have without this class, so its results, its
 * errors and their order are the same. Nothing here starts a session: a pipeline with a stage only
 * MLlib's reader reads is left to the run.
 */
final class EarlyReads {
  /** The SQL settings of the reads; set on the reading thread before {@link #input} completes. */
  private SQLConf sql;

  private final CompletableFuture<SmallCsv.Parsed> input = new CompletableFuture<>();
  private final CompletableFuture<Map<String, Object>> models = new CompletableFuture<>();

  private EarlyReads() {}

  /** Starts reading what {@code spec} reads, as a session started with {@code conf} would. */
  static EarlyReads start(SparkConf conf, AuditSpec spec) {
    EarlyReads early = new EarlyReads();
    Thread thread =
        new Thread(
            () -> {
              try {
                // As a session merges its Spark settings into its SQL settings.
                SQLConf sql = new SQLConf();
                for (Tuple2<String, String> setting : conf.getAll()) {
                  sql.setConfString(setting._1(), setting._2());
                }
                early.sql = sql;
                Configuration hadoop = SparkHadoopUtil.get().newConfiguration(conf);
                early.input.complete(early.readInput(conf, hadoop, spec.input));
                early.models.complete(early.readModels(conf, hadoop, spec));
              } catch (Exception | Error e) { // the run reads it again, and says what is wrong
                early.input.complete(null);
                early.models.complete(Map.of());
              }
            },
            "trustlens-early-reads");
    thread.setDaemon(true);
    thread.start();
    return early;
  }

  private SmallCsv.Parsed readInput(SparkConf conf, Configuration hadoop, AuditSpec.Input in) {
    if (in == null
        || in.path == null
        || !"csv".equals(InputTable.format(in))
        || InputTable.isPattern(in.path)
        || !Boolean.parseBoolean(conf.get(SmallCsv.ENABLED, "true"))) {
      return null;
    }
    try {
      Path path = new Path(in.path);
      return SmallCsv.parse(sql, path.getFileSystem(hadoop), path);
    } catch (Exception e) {
      return null;
    }
  }

  private Map<String, Object> readModels(SparkConf conf, Configuration hadoop, AuditSpec spec) {
    Map<String, Object> read = new LinkedHashMap<>();
    if (!Boolean.parseBoolean(conf.get(SavedMllibReader.ENABLED, "true"))) {
      return read;
    }
    for (String locations : ModelPrefetch.locations(spec).values()) {
      for (String location : locations.split(",")) {
        try {
          Path path = new Path(location);
          FileSystem fs = path.getFileSystem(hadoop);
          if (ModelLoader.isMllibDirectory(fs, path)) {
            Object model = SavedMllibReader.withoutSession(fs, hadoop).read(path);
            if (model != null) {
              read.put(location, model);
            }
          }
        } catch (Exception e) {
          // the run reads it, and says what is wrong
        }
      }
    }
    return read;
  }

  /**
   * Whether {@code spark}'s SQL settings are those the reads assumed: the same value for every
   * setting either sets (but the static ones, a cluster's, which Spark adds at its start and no
   * read here looks at).
   */
  boolean matches(SparkSession spark) {
    input.join(); // the settings are made before the input is read (or are null when they failed)
    return sql != null && settings(spark.sessionState().conf()).equals(settings(sql));
  }

  private static Map<String, String> settings(SQLConf conf) {
    Map<String, String> settings = new java.util.TreeMap<>();
    scala.jdk.javaapi.CollectionConverters.asJava(conf.getAllConfs())
        .forEach(
            (k, v) -> {
              if (k.startsWith("spark.sql.") && !SQLConf.isStaticConfigKey(k)) {
                settings.put(k, v);
              }
            });
    return settings;
  }

  /** The input parsed here (waiting for it), or null when it was not. */
  SmallCsv.Parsed input() {
    return input.join();
  }

  /** The models read here (waiting for them), by location. */
  Map<String, Object> models() {
    return models.join();
  }
}
