package io.trustlens.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/** The versions a run records in its summary. */
final class Versions {
  private Versions() {}

  /** TrustLens's own version, from the build. */
  static String trustlens() {
    return property(Versions.class, "/trustlens.properties", "version");
  }

  /**
   * DJL's version, read as {@code Engine.getDjlVersion()} reads it (the package's specification
   * version, else {@code api.properties}) but without initialising {@code Engine}: that looks up
   * every engine provider, work a run without a TorchScript model has no use for.
   */
  static String djl() {
    Class<?> engine = ai.djl.engine.Engine.class; // a class literal loads, it does not initialise
    String version = engine.getPackage().getSpecificationVersion();
    return version != null ? version : property(engine, "api.properties", "djl_version");
  }

  /** The value of {@code key} in the properties resource {@code name} beside {@code owner}. */
  private static String property(Class<?> owner, String name, String key) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty(key, "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static Map<String, Object> all(SparkSession spark) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("trustlens", trustlens());
    v.put("spark", spark.version());
    v.put("scala", scala.util.Properties.versionNumberString());
    v.put("java", System.getProperty("java.version"));
    v.put("djl", djl());
    v.put("master", spark.sparkContext().master());
    return v;
  }
}
