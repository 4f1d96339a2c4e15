package io.trustlens.job;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's local file system (checksummed, as {@code file:} paths get by default) whose file and
 * folder permissions are set through {@code java.nio}, where Hadoop without its native library
 * starts a {@code chmod} process for each: a Spark write creates its folders and files one by one,
 * and the demo audit's four writes and report started 40 processes, about 9 ms each, on the threads
 * that wait for them.
 *
 * <p>The mode set is the one Hadoop's {@code chmod} would set: {@code permission} as given (the
 * callers have applied the umask). Hadoop's own way is kept where it differs or is as fast: with
 * its native library loaded, for a sticky bit (which {@code java.nio} cannot set), and on a file
 * system without POSIX permissions. A local run's session uses it when the JVM's class path holds
 * it, as the launcher's does ({@link SparkOptions}); a cluster's executors, and a driver that gets
 * it from an application jar (spark-submit), keep Hadoop's default, as a thread that opens a {@code
 * file:} path may not see that jar's classes.
 */
public final class NioLocalFileSystem extends LocalFileSystem {
  /** The Spark setting that makes {@code file:} paths open this file system. */
  static final String SETTING = "spark.hadoop.fs.file.impl";

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /**
   * Whether the JVM's system class loader (not only an application jar's loader) has this class.
   */
  static boolean onSystemClassPath() {
    try {
      return Class.forName(
              NioLocalFileSystem.class.getName(), false, ClassLoader.getSystemClassLoader())
          == NioLocalFileSystem.class;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The unchecksummed file system underneath, with its permissions set through Java. */
  static final class Raw extends RawLocalFileSystem {
    private static final boolean POSIX =
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (!POSIX || permission.getStickyBit() || NativeIO.isAvailable()) {
        super.setPermission(p, permission);
        return;
      }
      String rwx =
          permission.getUserAction().SYMBOL
              + permission.getGroupAction().SYMBOL
              + permission.getOtherAction().SYMBOL;
      Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFilePermissions.fromString(rwx));
    }
  }
}
