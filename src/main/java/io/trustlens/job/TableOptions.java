package io.trustlens.job;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of every command that reads a table: where it is and which columns mean what. */
public final class TableOptions {
  @Option(
      names = "--input",
      required = true,
      description = "The table: a Parquet, CSV or JSON-lines file or directory.")
  String input;

  @Option(
      names = "--format",
      description =
          "parquet, csv, json or image (Spark's image source: a folder of pictures, column"
              + " 'image'); default: from the file extension, else parquet.")
  String format;

  @Option(
      names = "--features",
      split = ",",
      paramLabel = "COL",
      description =
          "Numeric feature columns, comma separated (default: all numeric columns but"
              + " the id and label).")
  List<String> features = new ArrayList<>();

  @Option(names = "--vector", paramLabel = "COL", description = "A vector column of features.")
  String vector;

  @Option(
      names = "--image",
      paramLabel = "COL",
      description =
          "An image column: a flat numeric array (channel-major) or an image struct of"
              + " --format image; with --image-shape.")
  String image;

  @Option(
      names = "--image-shape",
      paramLabel = "C,H,W",
      description = "The shape of each image in --image, such as 1,8,8.")
  String imageShape;

  @Option(names = "--id", paramLabel = "COL", description = "The row key column.")
  String id;

  @Option(names = "--label", paramLabel = "COL", description = "The label column, if any.")
  String label;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Repartition the table into N partitions before the work.")
  Integer partitions;

  @Option(
      names = "--on-invalid",
      paramLabel = "POLICY",
      description = "Rows with null or NaN features: error (default) or skip (drop and count).")
  String onInvalid = "error";

  /** These options as an input spec (the same shape an audit spec uses). */
  public AuditSpec.Input toSpec() {
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = input;
    in.format = format;
    in.features = features.isEmpty() ? null : List.copyOf(features);
    in.vector = vector;
    in.image = image;
    in.imageShape = imageShape;
    in.id = id;
    in.label = label;
    in.partitions = partitions;
    in.onInvalid = onInvalid;
    return in;
  }
}
