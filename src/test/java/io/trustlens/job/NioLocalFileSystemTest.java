package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NioLocalFileSystem} gives folders and files the modes Hadoop's {@code chmod} gives them,
 * and a local run's {@code file:} paths open it.
 */
class NioLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static FileSystem open(Class<? extends FileSystem> type) throws Exception {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", type.getName());
    return FileSystem.newInstance(URI.create("file:///"), conf); // not the JVM's cached one
  }

  private String mode(java.nio.file.Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void foldersAndFilesGetTheModesAsked() throws Exception {
    try (FileSystem fs = open(NioLocalFileSystem.class)) {
      Path folder = new Path(dir.resolve("a/b").toUri());
      assertTrue(fs.mkdirs(folder, new FsPermission((short) 0700)));
      assertEquals("rwx------", mode(dir.resolve("a/b"))); // File.mkdir alone gives the umask's
      Path file = new Path(folder, "part.parquet");
      fs.create(file, new FsPermission((short) 0640), true, 4096, (short) 1, 1 << 20, null).close();
      assertEquals("rw-r-----", mode(dir.resolve("a/b/part.parquet")));
      fs.setPermission(file, new FsPermission((short) 0604));
      assertEquals("rw----r--", mode(dir.resolve("a/b/part.parquet")));
      // A sticky bit is Hadoop's chmod's to set, as before.
      Path shared = new Path(dir.resolve("shared").toUri());
      assertTrue(fs.mkdirs(shared));
      fs.setPermission(shared, new FsPermission((short) 01750));
      assertEquals("rwxr-x---", mode(dir.resolve("shared")));
      assertTrue(fs.getFileStatus(shared).getPermission().getStickyBit());
    }
  }

  @Test
  void aWriteGetsTheModesOfHadoopsOwnFileSystem() throws Exception {
    String[] modes = new String[2];
    int i = 0;
    for (Class<? extends FileSystem> type :
        java.util.List.of(NioLocalFileSystem.class, LocalFileSystem.class)) {
      java.nio.file.Path root = dir.resolve(type.getSimpleName());
      try (FileSystem fs = open(type)) {
        Path out = new Path(root.resolve("table/_temporary/0").toUri());
        assertTrue(fs.mkdirs(out)); // as a Spark write's job set-up does: the umask's modes
        fs.create(new Path(out, "part-00000.parquet")).close();
      }
      StringBuilder all = new StringBuilder();
      try (var walk = Files.walk(root)) {
        for (java.nio.file.Path p : walk.sorted().toList()) {
          all.append(root.relativize(p)).append(' ').append(mode(p)).append('\n');
        }
      }
      modes[i++] = all.toString();
    }
    assertTrue(modes[0].contains(".part-00000.parquet.crc"), modes[0]); // still checksummed
    assertEquals(modes[1], modes[0]);
  }

  /**
   * Under spark-submit the class comes from the application jar's loader, not the JVM's class path:
   * then a local run keeps Hadoop's default, as a thread outside Spark's loader may open a file:
   * path. Here a loader of its own defines a second copy of the class, as an application jar would.
   */
  @Test
  void aCopyFromAnApplicationJarIsNotOnTheClassPath() throws Exception {
    assertTrue(NioLocalFileSystem.onSystemClassPath());
    String name = NioLocalFileSystem.class.getName();
    byte[] bytes;
    try (var in =
        NioLocalFileSystem.class.getResourceAsStream(
            NioLocalFileSystem.class.getSimpleName() + ".class")) {
      bytes = in.readAllBytes();
    }
    ClassLoader applicationJar =
        new ClassLoader(ClassLoader.getSystemClassLoader()) {
          @Override
          protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (!n.equals(name)) {
              return super.loadClass(n, resolve);
            }
            synchronized (getClassLoadingLock(n)) {
              Class<?> c = findLoadedClass(n);
              return c != null ? c : defineClass(n, bytes, 0, bytes.length);
            }
          }
        };
    Class<?> copy = applicationJar.loadClass(name);
    var check = copy.getDeclaredMethod("onSystemClassPath");
    check.setAccessible(true);
    assertFalse((Boolean) check.invoke(null));
  }

  @Test
  void aLocalRunOpensFilePathsWithIt() throws Exception {
    for (String master : new String[] {"local", "local[2]", "local[*]"}) {
      SparkOptions options = new SparkOptions();
      options.master = master;
      org.apache.spark.SparkConf conf = options.expectedConf();
      assertEquals(NioLocalFileSystem.class.getName(), conf.get(NioLocalFileSystem.SETTING));
      Configuration hadoop = SparkHadoopUtil.get().newConfiguration(conf);
      try (FileSystem fs = FileSystem.newInstance(URI.create("file:///"), hadoop)) {
        assertInstanceOf(NioLocalFileSystem.class, fs, master);
      }
    }
    // A cluster's executors may not have the class when they first open a file: path.
    for (String master : new String[] {"spark://host:7077", "local-cluster[2,1,1024]", "yarn"}) {
      SparkOptions options = new SparkOptions();
      options.master = master;
      assertFalse(options.expectedConf().contains(NioLocalFileSystem.SETTING), master);
    }
    // The user's setting wins, given as --conf or as a system property (spark-submit's --conf).
    SparkOptions own = new SparkOptions();
    own.master = "local[2]";
    own.conf.put(NioLocalFileSystem.SETTING, LocalFileSystem.class.getName());
    assertEquals(
        LocalFileSystem.class.getName(), own.expectedConf().get(NioLocalFileSystem.SETTING));
    System.setProperty(NioLocalFileSystem.SETTING, LocalFileSystem.class.getName());
    try {
      SparkOptions submitted = new SparkOptions();
      submitted.master = "local[2]";
      assertEquals(
          LocalFileSystem.class.getName(),
          submitted.expectedConf().get(NioLocalFileSystem.SETTING));
    } finally {
      System.clearProperty(NioLocalFileSystem.SETTING);
    }
  }
}
