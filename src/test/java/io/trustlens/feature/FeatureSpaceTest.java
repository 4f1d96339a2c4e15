package io.trustlens.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.awt.image.BufferedImage;
import java.io.File;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class FeatureSpaceTest {

  @Test
  void flatImageArraysAreReadWithTheirShape() {
    Dataset<Row> shapes = SparkTestSession.get().read().json("datasets/synthetic/shapes.json");
    FeatureSpace space =
        FeatureSpace.ofImageArray(shapes.schema(), "image", new ImageShape(1, 16, 16));
    assertEquals(256, space.size());
    assertEquals("c0_y1_x2", space.names().get(18));
    Row first = shapes.first();
    double[] x = new double[256];
    space.reader(shapes.schema()).read(first, x, 0);
    List<Double> raw = first.getList(first.fieldIndex("image"));
    assertEquals(raw.get(37), x[37]);
    FeatureSpace wrong =
        FeatureSpace.ofImageArray(shapes.schema(), "image", new ImageShape(3, 16, 16));
    InvalidFeatureException e =
        assertThrows(
            InvalidFeatureException.class,
            () -> wrong.reader(shapes.schema()).read(first, new double[768], 0));
    assertTrue(e.getMessage().contains("holds 256 values"), e.getMessage());
  }

  @Test
  void sparkImagesBecomeChannelMajorRgb() throws Exception {
    Dataset<Row> images =
        SparkTestSession.get().read().format("image").load("datasets/images/flower.jpg");
    FeatureSpace space =
        FeatureSpace.ofSparkImage(images.schema(), "image", new ImageShape(3, 427, 640));
    double[] x = new double[space.size()];
    space.reader(images.schema()).read(images.first(), x, 0);
    BufferedImage expected = ImageIO.read(new File("datasets/images/flower.jpg"));
    int plane = 427 * 640;
    for (int[] p : new int[][] {{0, 0}, {100, 200}, {426, 639}}) {
      int rgb = expected.getRGB(p[1], p[0]);
      int i = p[0] * 640 + p[1];
      assertArrayEquals(
          new double[] {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff},
          new double[] {x[i], x[plane + i], x[2 * plane + i]},
          "pixel " + p[0] + "," + p[1]);
    }
  }

  @Test
  void vectorNamesComeFromMlAttributes() {
    Dataset<Row> df =
        new org.apache.spark.ml.feature.VectorAssembler()
            .setInputCols(new String[] {"sepal_length_cm", "petal_width_cm"})
            .setOutputCol("v")
            .transform(io.trustlens.testing.Tables.csv("iris.csv"));
    FeatureSpace space = FeatureSpace.ofVector(df.schema(), "v", 2);
    assertEquals(List.of("sepal_length_cm", "petal_width_cm"), space.names());
    assertThrows(InvalidFeatureException.class, () -> FeatureSpace.ofVector(df.schema(), "v", 3));
    assertThrows(
        InvalidFeatureException.class, () -> FeatureSpace.ofVector(df.schema(), "species", 1));
  }

  @Test
  void textColumnsGiveWordTokens() {
    Dataset<Row> ads = io.trustlens.testing.Tables.csv("synthetic/jobads.csv");
    TextColumn text = TextColumn.of(ads.schema(), "text");
    List<String> tokens = text.tokens(ads.first());
    assertEquals(ads.first().getString(1).split(" ").length, tokens.size());
    InvalidFeatureException e =
        assertThrows(InvalidFeatureException.class, () -> TextColumn.of(ads.schema(), "salary"));
    assertTrue(e.getMessage().contains("text column 'salary' is int"), e.getMessage());
  }
}
