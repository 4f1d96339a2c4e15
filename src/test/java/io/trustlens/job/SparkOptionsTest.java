package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The settings a command's own Spark session starts with. */
class SparkOptionsTest {
  @Test
  void sessionsTakeNoClassLoaderOfTheirOwnUnlessTheUserAsks() {
    SparkOptions options = new SparkOptions();
    options.master = "spark://host:7077";
    assertEquals("false", options.expectedConf().get(SparkOptions.SESSION_ARTIFACTS));
    SparkOptions asked = new SparkOptions();
    asked.conf.put(SparkOptions.SESSION_ARTIFACTS, "true");
    assertEquals("true", asked.expectedConf().get(SparkOptions.SESSION_ARTIFACTS));
    System.setProperty(SparkOptions.SESSION_ARTIFACTS, "true"); // spark-submit --conf
    try {
      assertEquals("true", new SparkOptions().expectedConf().get(SparkOptions.SESSION_ARTIFACTS));
    } finally {
      System.clearProperty(SparkOptions.SESSION_ARTIFACTS);
    }
  }
}
