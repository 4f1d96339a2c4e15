package io.trustlens.testing;

import io.trustlens.job.TrustLens;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a TrustLens command in the test JVM on the shared session and keeps what it printed. */
public record Cli(int exitCode, String errors) {

  /** Runs {@code args} as the command line. */
  public static Cli run(String... args) {
    SparkTestSession.get();
    StringWriter err = new StringWriter();
    int code = TrustLens.execute(new PrintWriter(err, true), args);
    return new Cli(code, err.toString());
  }
}
