package io.trustlens.explain.example;

import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import java.io.Serializable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The training rows a query's examples come from: their points in the representation searched, each
 * one's label as a class index (when the labels are classes), and the {@link NeighbourSearch} over
 * them, exact or a projection forest. With classes it also holds the {@link Credibility} calibrated
 * on rows held out of the index. Every query is answered alone, nearest first with ties to the
 * lower point, so answers depend only on the query and the index.
 */
public final class ExampleIndex implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Points points;
  private final NeighbourSearch search;
  private final int k;
  private final int[] classOf;
  private final Credibility credibility;

  private ExampleIndex(
      Points points, NeighbourSearch search, int k, int[] classOf, Credibility credibility) {
    this.points = points;
    this.search = search;
    this.k = k;
    this.classOf = classOf;
    this.credibility = credibility;
  }

  /**
   * The candidates an approximate search keeps while it walks the graph for {@code k} examples: a
   * wider beam than {@code k} finds more of the true nearest.
   */
  public static int beam(int k) {
    return Math.max(3 * k, 30);
  }

  /** The neighbours per point of the graph an approximate search walks for {@code k} examples. */
  public static int graphDegree(int k) {
    return Math.max(2 * k, 20);
  }

  /** An index of {@code points} answering {@code k} neighbours, without labels' credibility. */
  public static ExampleIndex of(Points points, NeighbourSearch search, int k) {
    requireK(points, k);
    return new ExampleIndex(points, search, k, null, null);
  }

  /**
   * An index whose points have labels {@code classOf} (0 .. classes − 1), calibrated on the
   * held-out {@code calibration} points with labels {@code calibrationClasses}: each one's
   * nonconformity with its own label ({@code threads} at once; the scores do not depend on them).
   */
  public static ExampleIndex calibrated(
      Points points,
      NeighbourSearch search,
      int k,
      int[] classOf,
      int classes,
      Points calibration,
      int[] calibrationClasses,
      int threads) {
    requireK(points, k);
    if (classOf.length != points.size() || calibrationClasses.length != calibration.size()) {
      throw new IllegalArgumentException("one label per point is needed");
    }
    ExampleIndex unlabelled = new ExampleIndex(points, search, k, classOf, null);
    int[] scores = new int[calibration.size()];
    int block = 1024;
    int blocks = (scores.length + block - 1) / block;
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
    try {
      pool.submit(
              () ->
                  IntStream.range(0, blocks)
                      .parallel()
                      .forEach(
                          b -> {
                            Searcher s = unlabelled.searcher();
                            float[] q = new float[calibration.dimensions()];
                            for (int i = b * block;
                                i < Math.min(scores.length, (b + 1) * block);
                                i++) {
                              for (int j = 0; j < q.length; j++) {
                                q[j] = calibration.get(i, j);
                              }
                              s.find(q);
                              scores[i] =
                                  Credibility.nonconformity(s.labels(), calibrationClasses[i]);
                            }
                          }))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
    return new ExampleIndex(points, search, k, classOf, Credibility.calibrate(scores, classes));
  }

  /** An index whose points have labels {@code classOf}, with a credibility calibrated before. */
  public static ExampleIndex withCredibility(
      Points points, NeighbourSearch search, int k, int[] classOf, Credibility credibility) {
    requireK(points, k);
    return new ExampleIndex(points, search, k, classOf, credibility);
  }

  private static void requireK(Points points, int k) {
    if (k < 1 || k > points.size()) {
      throw new IllegalArgumentException(
          k + " examples asked of " + points.size() + " indexed rows");
    }
  }

  public int k() {
    return k;
  }

  public int size() {
    return points.size();
  }

  /** The indexed points. */
  public Points points() {
    return points;
  }

  public int dimensions() {
    return points.dimensions();
  }

  /** The calibrated credibility, or null when the labels are not classes. */
  public Credibility credibility() {
    return credibility;
  }

  /** A searcher for one thread (it holds scratch space). */
  public Searcher searcher() {
    return new Searcher();
  }

  /** Answers queries one at a time; the last answer stays readable until the next query. */
  public final class Searcher {
    private final int beam = search.isExact() ? k : Math.min(points.size(), beam(k));
    private final NeighbourSearch.Searcher inner = search.searcher(points, beam);
    private final int[] found = new int[beam];
    private final double[] squared = new double[beam];
    private final int[] index = new int[k];
    private final double[] distance = new double[k];
    private final int[] labels = new int[k];

    /** Finds the {@code k} points nearest {@code query}. */
    public void find(float[] query) {
      inner.find(query, found, squared);
      if (found[k - 1] < 0) {
        throw new IllegalStateException("the search found fewer than " + k + " candidates");
      }
      for (int j = 0; j < k; j++) {
        index[j] = found[j];
        distance[j] = Math.sqrt(squared[j]);
        if (classOf != null) {
          labels[j] = classOf[index[j]];
        }
      }
    }

    /** The last query's neighbours, nearest first (points of the index). */
    public int[] index() {
      return index;
    }

    /** Their Euclidean distances. */
    public double[] distance() {
      return distance;
    }

    /** Their labels as class indices (when the index has classes). */
    public int[] labels() {
      return labels;
    }

    /** What the last query's neighbours say (when the index is calibrated). */
    public Credibility.Verdict verdict() {
      return credibility.judge(labels);
    }
  }
}
