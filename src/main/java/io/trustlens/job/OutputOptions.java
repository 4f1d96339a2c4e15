package io.trustlens.job;

import picocli.CommandLine.Option;

/** Where and how a command writes its output directory. */
public final class OutputOptions {
  @Option(
      names = "--output",
      required = true,
      description = "The output directory (tables, summary.json, report.html).")
  String output;

  @Option(names = "--output-format", description = "parquet (default) or json (JSON lines).")
  String outputFormat = "parquet";

  @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
  boolean overwrite;
}
