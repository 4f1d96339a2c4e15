package io.trustlens.job;

import picocli.CommandLine.Option;

/** Where and how a command writes its output directory. */
public final class OutputOptions {
  @Option(
      names = "--output",
      required = true,
      description = "The output directory (tables, summary.json, report.html).")
  String output;

  @Option(
      names = "--output-format",
      description =
          "parquet (default), json (JSON lines) or csv (with a header; only for tables of single"
              + " values, so not for array or vector columns).")
  String outputFormat = "parquet";

  @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
  boolean overwrite;
}
