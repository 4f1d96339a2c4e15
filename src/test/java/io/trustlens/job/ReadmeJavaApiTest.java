package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java API section compiles against the classes as they are: its code blocks, in
 * order, form one method body, with the packages the section names imported and the tables and
 * models it takes as given ({@code training}, {@code fittedGbtModel}, ...) as parameters. A method
 * renamed or a class moved without the README following fails here, with the README's line.
 */
class ReadmeJavaApiTest {
  /** The packages the section's first paragraph names. */
  private static final List<String> PACKAGES =
      List.of(
          "io.trustlens.model",
          "io.trustlens.feature",
          "io.trustlens.data",
          "io.trustlens.explore",
          "io.trustlens.explore.pca",
          "io.trustlens.explore.tsne",
          "io.trustlens.explore.mds",
          "io.trustlens.explore.knn",
          "io.trustlens.explain.shap",
          "io.trustlens.explain.gradient",
          "io.trustlens.explain.example",
          "io.trustlens.uncertainty",
          "io.trustlens.uncertainty.dropout",
          "io.trustlens.uncertainty.autoencoder",
          "io.trustlens.uncertainty.bayes");

  /** What the snippets take as given. */
  private static final String GIVEN =
      "org.apache.spark.ml.classification.GBTClassificationModel fittedGbtModel,"
          + " Dataset<Row> training, Dataset<Row> scoring, Dataset<Row> huge,"
          + " Dataset<Row> images, Dataset<Row> embeddedTraining, Dataset<Row> digits,"
          + " LoadedModel torchModel, FeatureSpace pixels, String m0, String m1, String m2";

  @Test
  void theJavaApiSectionCompiles(@TempDir Path dir) throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Java API\n");
    assertTrue(start >= 0, "README has no '## Java API' section");
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    for (String p : PACKAGES) {
      assertTrue(
          section.contains("`" + p + "`") || section.contains("`." + p.replaceAll(".*\\.", "")),
          "the section's first paragraph names " + p);
    }
    StringBuilder body = new StringBuilder();
    List<Integer> readmeLines = new ArrayList<>(); // body line -> README line
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
    int blocks = 0;
    int sectionLine = lineOf(readme, start);
    while (block.find()) {
      blocks++;
      int first = sectionLine + lineOf(section, block.start(1)) - 1;
      String[] lines = block.group(1).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        body.append(lines[i]).append('\n');
        readmeLines.add(first + i);
      }
    }
    assertTrue(blocks >= 5, "the Java API section's code blocks: " + blocks);
    StringBuilder source = new StringBuilder();
    source.append("import org.apache.spark.sql.*;\nimport org.apache.spark.ml.*;\n");
    source.append("import java.util.*;\n");
    for (String p : PACKAGES) {
      source.append("import ").append(p).append(".*;\n");
    }
    int header = 2 + 1 + PACKAGES.size() + 2; // the lines before the body
    source.append("public class ReadmeJavaApi {\n");
    source.append("  static void run(").append(GIVEN).append(") throws Exception {\n");
    source.append(body).append("  }\n}\n");
    Path file = dir.resolve("ReadmeJavaApi.java");
    Files.writeString(file, source);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> found = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(found, null, null)) {
      List<String> options =
          List.of(
              "-classpath",
              System.getProperty("java.class.path") + File.pathSeparator + "target/classes",
              "-d",
              dir.toString(),
              "-proc:none");
      javac
          .getTask(null, files, found, options, null, files.getJavaFileObjects(file.toFile()))
          .call();
    }
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : found.getDiagnostics()) {
      if (d.getKind() == Diagnostic.Kind.ERROR) {
        int at = (int) d.getLineNumber() - header - 1;
        String where =
            at >= 0 && at < readmeLines.size()
                ? "README.md line " + readmeLines.get(at)
                : "line " + d.getLineNumber() + " of the wrapper";
        errors.add(where + ": " + d.getMessage(null));
      }
    }
    assertEquals(List.of(), errors, "the README's Java API does not compile");
  }

  private static int lineOf(String text, int offset) {
    int line = 1;
    for (int i = 0; i < offset; i++) {
      line += text.charAt(i) == '\n' ? 1 : 0;
    }
    return line;
  }
}
