package io.trustlens.job;

import io.trustlens.data.synthetic.CreditData;
import io.trustlens.data.synthetic.JobAdsData;
import io.trustlens.data.synthetic.ShapesData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trustlens make-datasets}: the synthetic tables with known truth, written with it. */
@Command(
    name = "make-datasets",
    mixinStandardHelpOptions = true,
    description = {
      "Write the deterministic synthetic data sets whose truth is known, each with a"
          + " *.truth.json beside it.",
      "They are: credit.csv (logistic model with an interaction and a one-hot region), shapes.json"
          + " (16x16 images decided by a known region), jobads.csv (salary set by known words)."
    })
final class MakeDatasetsCommand implements Callable<Integer> {
  @Option(names = "--output", description = "Directory (default datasets/synthetic).")
  Path output = Path.of("datasets", "synthetic");

  @Option(names = "--seed", description = "Random seed (default 7).")
  long seed = 7;

  @Option(names = "--rows", description = "Rows of credit and jobads (default 2000).")
  int rows = 2000;

  @Option(names = "--images", description = "Images in shapes (default 600).")
  int images = 600;

  @Override
  public Integer call() throws IOException {
    Files.createDirectories(output);
    CreditData.write(output, rows, seed);
    ShapesData.write(output, images, seed + 1);
    JobAdsData.write(output, rows, seed + 2);
    System.out.println("wrote credit, shapes and jobads with their truth to " + output);
    return 0;
  }
}
