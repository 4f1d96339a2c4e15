package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notebook guide's cells, read from {@code docs/notebooks.md}, compiled and run on the test
 * session as a notebook would run them ({@code spark} the session, {@code displayHTML} showing a
 * page): the guide cannot drift from the code.
 */
class NotebookGuideTest {
  static final Path GUIDE = Path.of("docs/notebooks.md");
  @TempDir Path dir;

  /** The code of every fenced block of {@code language}, in order. */
  static List<String> cells(String language) throws Exception {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = null;
    for (String line : Files.readAllLines(GUIDE)) {
      if (cell == null && line.equals("```" + language)) {
        cell = new StringBuilder();
      } else if (cell != null && line.equals("```")) {
        cells.add(cell.toString());
        cell = null;
      } else if (cell != null) {
        cell.append(line).append('\n');
      }
    }
    return cells;
  }

  @Test
  void theJavaCellsCompileAndRun() throws Exception {
    List<String> cells = cells("java");
    assertEquals(2, cells.size(), "the guide's Java cells");
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String cell : cells) {
      for (String line : cell.split("\n")) {
        (line.startsWith("import ") ? imports : body).append(line).append('\n');
      }
    }
    String source =
        imports
            + "public class JavaCells {\n"
            + "  public static String shown;\n"
            + "  static void displayHTML(String html) { shown = html; }\n"
            + "  public static String run(org.apache.spark.sql.SparkSession spark) throws Exception"
            + " {\n"
            + body
            + "    return shown;\n  }\n}\n";
    Path src = dir.resolve("JavaCells.java");
    Files.writeString(src, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status =
        javac.run(
            null, null, null, "-classpath", classpath(), "-d", dir.toString(), src.toString());
    assertEquals(0, status, "javac on the guide's Java cells:\n" + source);
    String html = run("JavaCells", "trustlens_shapes_ig_java");
    assertTrue(html.contains("Explain: shap"), "the demo report shown");
  }

  @Test
  void theScalaCellsCompileAndRun() throws Exception {
    List<String> cells = cells("scala");
    assertEquals(2, cells.size(), "the guide's Scala cells");
    String source =
        "object ScalaCells {\n"
            + "  var shown: String = null\n"
            + "  def displayHTML(html: String): Unit = shown = html\n"
            + "  def run(spark: org.apache.spark.sql.SparkSession): String = {\n"
            + String.join("\n", cells)
            + "\n    shown\n  }\n}\n";
    Path src = dir.resolve("ScalaCells.scala");
    Files.writeString(src, source);
    boolean ok =
        scala.tools.nsc.Main.process(
            new String[] {"-classpath", classpath(), "-d", dir.toString(), src.toString()});
    assertTrue(ok && !scala.tools.nsc.Main.reporter().hasErrors(), "scalac:\n" + source);
    String html = run("ScalaCells", "trustlens_shapes_ig");
    assertTrue(html.contains("Explain: shap"), "the demo report shown");
  }

  /**
   * Runs the compiled cells; checks the table they saved holds every shape's map and drops it.
   *
   * @return the page the cells showed
   */
  private String run(String className, String table) throws Exception {
    SparkSession spark = SparkTestSession.get();
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Object html =
          loader.loadClass(className).getMethod("run", SparkSession.class).invoke(null, spark);
      long shapes = spark.read().json("datasets/synthetic/shapes.json").count();
      assertEquals(shapes, spark.table(table).count(), "every shape's map saved");
      assertTrue(
          List.of(spark.table(table).columns()).contains("ig_gap"), "the completeness gap saved");
      assertTrue(html instanceof String s && s.contains("<html"), "a page shown");
      return (String) html;
    } finally {
      spark.sql("DROP TABLE IF EXISTS " + table);
    }
  }

  /**
   * This JVM's class path, with the jars a manifest-only jar (surefire's) names expanded, for the
   * compilers.
   */
  static String classpath() throws Exception {
    LinkedHashSet<String> entries = new LinkedHashSet<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(e);
      if (e.endsWith(".jar") && new File(e).isFile()) {
        try (JarFile jar = new JarFile(e)) {
          Manifest m = jar.getManifest();
          String more = m == null ? null : m.getMainAttributes().getValue("Class-Path");
          if (more != null) {
            for (String url : more.trim().split("\\s+")) {
              URI uri = new File(e).toURI().resolve(url);
              entries.add(new File(uri).getPath());
            }
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
