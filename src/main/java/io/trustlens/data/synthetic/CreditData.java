package io.trustlens.data.synthetic;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Loan applicants whose default follows a known logistic model with an interaction and a one-hot
 * categorical column:
 *
 * <pre>
 * z_age = (age - 45) / 15,  z_income = ln(income / 50),  debt = debt_ratio
 * logit = -1.0 - 0.8 z_age - 1.2 z_income + 2.0 debt + 1.5 z_age debt + region effect
 * region effect: north 0, south 0.8, east -0.6, west 0.3;  years_employed has no effect
 * </pre>
 */
public final class CreditData {
  static final List<String> REGIONS = List.of("north", "south", "east", "west");
  static final double[] REGION_EFFECT = {0, 0.8, -0.6, 0.3};

  private CreditData() {}

  /** The true logit of one applicant. */
  public static double logit(double age, double income, double debtRatio, String region) {
    double zAge = (age - 45) / 15;
    double zIncome = Math.log(income / 50);
    return -1.0
        - 0.8 * zAge
        - 1.2 * zIncome
        + 2.0 * debtRatio
        + 1.5 * zAge * debtRatio
        + REGION_EFFECT[REGIONS.indexOf(region)];
  }

  /** Writes {@code credit.csv} and {@code credit.truth.json} with {@code rows} rows. */
  public static void write(Path dir, int rows, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (Writer out = Files.newBufferedWriter(dir.resolve("credit.csv"))) {
      out.write("id,age,income,debt_ratio,years_employed,region,default\n");
      for (int i = 0; i < rows; i++) {
        int age = 18 + random.nextInt(58);
        double income = Math.round(50 * Math.exp(0.5 * gaussian(random)) * 10) / 10.0;
        double debt = Math.round(random.nextDouble() * 1000) / 1000.0;
        int years = random.nextInt(Math.max(1, Math.min(31, age - 17)));
        String region = REGIONS.get(random.nextInt(REGIONS.size()));
        double p = 1 / (1 + Math.exp(-logit(age, income, debt, region)));
        int label = random.nextDouble() < p ? 1 : 0;
        out.write(
            String.format(
                Locale.ROOT,
                "%d,%d,%.1f,%.3f,%d,%s,%d%n",
                i,
                age,
                income,
                debt,
                years,
                region,
                label));
      }
    }
    Files.writeString(
        dir.resolve("credit.truth.json"),
        """
        {
          "table": "credit.csv",
          "label": "default",
          "model": "logistic: P(default = 1) = sigmoid(logit)",
          "transforms": {"z_age": "(age - 45) / 15", "z_income": "ln(income / 50)", \
        "debt": "debt_ratio"},
          "coefficients": {"intercept": -1.0, "z_age": -0.8, "z_income": -1.2, "debt": 2.0,
                           "z_age*debt": 1.5},
          "region_effect": {"north": 0.0, "south": 0.8, "east": -0.6, "west": 0.3},
          "no_effect": ["years_employed", "id"]
        }
        """);
  }

  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
