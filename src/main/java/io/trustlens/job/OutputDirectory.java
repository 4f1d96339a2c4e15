package io.trustlens.job;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A run's output directory, written under a hidden temporary sibling and moved into place only when
 * the run succeeds, so that a failed run never leaves a directory that looks complete.
 */
public final class OutputDirectory implements AutoCloseable {
  /** The file in a temporary folder naming the run that writes it: host and process id. */
  static final String OWNER = "_run";

  /** How long another host's temporary folder must be untouched before it counts as stale. */
  static final long STALE_AFTER_MS = 24L * 3600 * 1000;

  private final FileSystem fs;
  private final Path target;
  private final Path temporary;
  private final boolean overwrite;
  private boolean committed;

  private OutputDirectory(FileSystem fs, Path target, Path temporary, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.temporary = temporary;
    this.overwrite = overwrite;
  }

  /**
   * Starts an output directory at {@code location}, refusing a location that is, or holds, one of
   * the paths the run {@code reads}: with {@code --overwrite} the commit would delete it ({@code
   * --input out/loans.csv --output out} deleted the table it had just profiled).
   *
   * @throws SpecException when it exists and {@code overwrite} is false, or holds a path read
   */
  public static OutputDirectory open(
      SparkSession spark, String location, boolean overwrite, java.util.Collection<String> reads) {
    try {
      Path target = new Path(location);
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem(); // no .crc files beside summary.json and report.html
      }
      target = free(fs, target, location, overwrite, reads, spark);
      Path parent = target.getParent();
      fs.mkdirs(parent);
      removeStale(fs, parent, target.getName());
      Path temporary = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
      fs.mkdirs(temporary);
      try (OutputStream out = fs.create(new Path(temporary, OWNER), true)) {
        out.write((host() + " " + ProcessHandle.current().pid() + "\n").getBytes(UTF_8));
      }
      return new OutputDirectory(fs, target, temporary, overwrite);
    } catch (IOException e) {
      throw new SpecException(
          "cannot create output directory "
              + location
              + ": "
              + (e.getMessage() == null ? e.toString() : e.getMessage()));
    }
  }

  /**
   * For a command that writes {@code location} itself ({@code train}): refuses it before any work
   * when it exists and {@code overwrite} is false, or when it is or holds one of the paths the
   * command {@code reads}.
   */
  static void requireWritable(
      SparkSession spark, String location, boolean overwrite, java.util.Collection<String> reads) {
    try {
      Path target = new Path(location);
      FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
      free(fs, target, location, overwrite, reads, spark);
    } catch (IOException e) {
      throw new SpecException("cannot check output directory " + location + ": " + e.getMessage());
    }
  }

  /**
   * {@code target} qualified, once it is known neither to exist (unless {@code overwrite}) nor to
   * be or hold a path the run {@code reads}.
   */
  private static Path free(
      FileSystem fs,
      Path target,
      String location,
      boolean overwrite,
      java.util.Collection<String> reads,
      SparkSession spark)
      throws IOException {
    Path qualified = fs.makeQualified(target);
    if (fs.exists(qualified) && !overwrite) {
      throw new SpecException(
          "output directory " + location + " exists; choose another or pass --overwrite");
    }
    requireApart(qualified, location, reads, spark);
    return qualified;
  }

  /** Whether path {@code inner} lies under folder {@code outer} (both absolute). */
  private static boolean within(String inner, String outer) {
    return inner.startsWith(outer.endsWith("/") ? outer : outer + "/");
  }

  /**
   * Refuses {@code target} when one of {@code reads} (that exists) is it or lies under it, or when
   * it lies inside a folder that one of them is.
   */
  private static void requireApart(
      Path target, String location, java.util.Collection<String> reads, SparkSession spark)
      throws IOException {
    String root = target.toUri().getPath();
    for (String read : reads) {
      FileSystem fs;
      FileStatus[] found;
      try { // a task's string that only looks like a path ("kmeans:20") names nothing
        Path p = new Path(read);
        fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        found =
            InputTable.isPattern(read)
                ? fs.globStatus(p)
                : fs.exists(p) ? new FileStatus[] {fs.getFileStatus(p)} : null;
      } catch (IOException | IllegalArgumentException e) {
        continue;
      }
      for (FileStatus f : found == null ? new FileStatus[0] : found) {
        Path q = fs.makeQualified(f.getPath());
        String at = q.toUri().getPath();
        boolean sameStore =
            java.util.Objects.equals(q.toUri().getScheme(), target.toUri().getScheme())
                && java.util.Objects.equals(
                    q.toUri().getAuthority(), target.toUri().getAuthority());
        if (sameStore && (at.equals(root) || within(at, root))) {
          throw new SpecException(
              "output directory "
                  + location
                  + (at.equals(root) ? " is " : " holds ")
                  + read
                  + ", which this run reads; --overwrite would delete it: choose another output");
        }
        if (sameStore && f.isDirectory() && within(root, at)) {
          throw new SpecException(
              "output directory "
                  + location
                  + " lies inside "
                  + read
                  + ", a folder this run reads: its next read would take the output's files"
                  + " for its own; choose another output");
        }
      }
    }
  }

  /**
   * Removes the temporary siblings of {@code name} that killed runs left behind: those whose owner
   * ran on this host and is no longer alive, and those of other hosts (or without an owner file)
   * untouched for {@link #STALE_AFTER_MS}. A live run's folder is never touched.
   */
  static void removeStale(FileSystem fs, Path parent, String name) throws IOException {
    FileStatus[] siblings =
        fs.listStatus(parent, p -> p.getName().startsWith("." + name + ".tmp-"));
    for (FileStatus sibling : siblings) {
      if (!sibling.isDirectory() || !stale(fs, sibling)) {
        continue;
      }
      if (fs.delete(sibling.getPath(), true)) {
        System.err.println(
            "trustlens: removed "
                + sibling.getPath()
                + ", the temporary folder of a run that was killed");
      }
    }
  }

  private static boolean stale(FileSystem fs, FileStatus folder) throws IOException {
    Path owner = new Path(folder.getPath(), OWNER);
    boolean old = System.currentTimeMillis() - folder.getModificationTime() > STALE_AFTER_MS;
    if (!fs.exists(owner)) {
      return old;
    }
    String[] words;
    try (var in = fs.open(owner)) {
      words = new String(in.readAllBytes(), UTF_8).trim().split(" ");
    }
    if (words.length != 2 || !words[0].equals(host())) {
      return old;
    }
    try {
      long pid = Long.parseLong(words[1]);
      return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    } catch (NumberFormatException e) {
      return old;
    }
  }

  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** Where a child (a table directory or a file) is written until the commit. */
  public String resolve(String child) {
    return new Path(temporary, child).toString();
  }

  /** The final location. */
  public String target() {
    return target.toString();
  }

  /** Writes a UTF-8 text file. */
  public void writeText(String child, String text) {
    try (OutputStream out = fs.create(new Path(temporary, child), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + child + ": " + e.getMessage(), e);
    }
  }

  /** Moves the finished output into place. */
  public void commit() {
    try {
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new SpecException("output directory " + target + " appeared during the run");
        }
        fs.delete(target, true);
      }
      fs.delete(new Path(temporary, OWNER), false);
      if (!fs.rename(temporary, target)) {
        throw new IOException("rename to " + target + " failed");
      }
      committed = true;
    } catch (IOException e) {
      throw new IllegalStateException("cannot commit output " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes the temporary directory unless the output was committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(temporary, true);
      } catch (IOException ignored) {
        // Best effort: a leftover hidden .tmp directory never looks like a finished output.
      }
    }
  }
}
