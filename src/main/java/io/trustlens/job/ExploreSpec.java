package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The keys of an {@code explore} task in an audit spec, and only those: maps of the whole table:
 * PCA, MDS, t-SNE or nearest neighbours. A key of another task type is unknown here, so a spec
 * naming one fails with its line. Unset keys are null and the task's defaults apply; a key set for
 * a method that does not use it is an error ({@link ExploreKeys}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ExploreSpec extends AuditSpec.Task {
  /** A task of type explore. */
  public ExploreSpec() {
    type = "explore";
  }

  /** pca (default), mds, tsne or knn. */
  public String method;

  /** components (pca, default min(10, columns)) or map dimensions (mds, 2). */
  public Integer components;

  /** pca: divide each column by its standard deviation (default false). */
  public Boolean scale;

  /** pca: auto (default), exact or randomized. */
  public String solver;

  /** tsne: perplexity (default 30). */
  public Double perplexity;

  /** tsne: iterations after the 250 exaggerated ones (default 500). */
  public Integer iterations;

  /** tsne: reduce to this many principal components first (default 50; 0: no). */
  public Integer pcaDims;

  /**
   * tsne: the most rows the driver maps (default 1,000,000); a larger table's other rows are placed
   * among their nearest mapped rows.
   */
  public Integer mapRows;

  /** knn: neighbours per row (default 10). */
  public Integer neighbours;

  /** tsne and knn: auto (default), exact or approximate neighbour search. */
  public String search;

  /** mds: landmark rows (default 2000; a smaller table gets classical MDS). */
  public Integer landmarks;

  /** mds: euclidean (default), manhattan or cosine. */
  public String metric;

  /** the column that colours the map's points (default: the label, if any). */
  public String colour;

  /** a numeric column that sizes the map's points. */
  public String size;

  /** a column whose values pick the map's marker shapes. */
  public String shape;

  /**
   * error (default) refuses constant feature columns; ignore lets them pass (they add nothing). An
   * embedding's dead units are ignored unless this says error.
   */
  public String constantColumns;

  /** rows drawn in the report's plots (default 3000; a seeded sample). */
  public Integer plotSample;

  @Override
  public String method() {
    return method;
  }
}
