package io.trustlens.explore.tsne;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;

/**
 * A quadtree over 2-D points for Barnes-Hut repulsion (van der Maaten 2014, JMLR 15): each cell
 * knows its points' count and centre of mass; a cell small enough seen from a point ({@code width /
 * distance < θ}) acts as one point of that mass. Leaves hold up to {@value #LEAF} points. Built
 * from the points in index order, so the same points always give the same tree.
 *
 * <p>The tree is walked once per group of up to {@value #GROUP} nearby points rather than once per
 * point (as GPU Barnes-Hut codes do): a cell is summarised for the whole group when it is small
 * enough seen from the group's nearest corner, which is never coarser than the per-point rule; the
 * resulting interaction list is then summed for each point of the group in one tight loop over
 * contiguous arrays. Each point's sums run in the list's order, so results do not depend on the
 * number of threads.
 */
final class QuadTree {
  private static final int LEAF = 8;
  private static final int GROUP = 32;
  private static final int MAX_DEPTH = 48;

  private int[] children = new int[4096];
  private int[] count = new int[1024];
  private int[] start = new int[1024];
  private double[] massX = new double[1024];
  private double[] massY = new double[1024];
  private double[] width2 = new double[1024];
  private int nodes;
  private final int[] order;
  private final int[] scratch;
  private final double[] y;
  private final double[] px;
  private final double[] py;
  private int[] groups = new int[256];
  private int groupCount;

  /** The tree of the points {@code (y[2i], y[2i+1])}. */
  QuadTree(double[] y, int n) {
    this.y = y;
    this.order = new int[n];
    this.scratch = new int[n];
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      order[i] = i;
      minX = Math.min(minX, y[2 * i]);
      maxX = Math.max(maxX, y[2 * i]);
      minY = Math.min(minY, y[2 * i + 1]);
      maxY = Math.max(maxY, y[2 * i + 1]);
    }
    double w = Math.max(maxX - minX, maxY - minY) * (1 + 1e-9) + 1e-12;
    build(0, n, minX, minY, w, 0, false);
    px = new double[n];
    py = new double[n];
    for (int p = 0; p < n; p++) {
      px[p] = y[2 * order[p]];
      py[p] = y[2 * order[p] + 1];
    }
  }

  private int build(int lo, int hi, double x0, double y0, double w, int depth, boolean grouped) {
    int node = add();
    count[node] = hi - lo;
    start[node] = lo;
    width2[node] = w * w;
    double sx = 0;
    double sy = 0;
    for (int p = lo; p < hi; p++) {
      sx += y[2 * order[p]];
      sy += y[2 * order[p] + 1];
    }
    massX[node] = sx / (hi - lo);
    massY[node] = sy / (hi - lo);
    Arrays.fill(children, 4 * node, 4 * node + 4, -1);
    boolean leaf = hi - lo <= LEAF || depth >= MAX_DEPTH;
    if (!grouped && (hi - lo <= GROUP || leaf)) {
      addGroup(node);
      grouped = true;
    }
    if (leaf) {
      return node;
    }
    double h = w / 2;
    double cx = x0 + h;
    double cy = y0 + h;
    // Stable partition into the four quadrants: SW, SE, NW, NE.
    int[] bounds = new int[5];
    for (int p = lo; p < hi; p++) {
      bounds[quadrant(order[p], cx, cy) + 1]++;
    }
    for (int q = 0; q < 4; q++) {
      bounds[q + 1] += bounds[q];
    }
    int[] fill = Arrays.copyOf(bounds, 4);
    for (int p = lo; p < hi; p++) {
      int q = quadrant(order[p], cx, cy);
      scratch[lo + fill[q]++] = order[p];
    }
    System.arraycopy(scratch, lo, order, lo, hi - lo);
    for (int q = 0; q < 4; q++) {
      if (bounds[q + 1] == bounds[q]) {
        continue;
      }
      int child =
          build(
              lo + bounds[q],
              lo + bounds[q + 1],
              (q & 1) == 0 ? x0 : cx,
              (q & 2) == 0 ? y0 : cy,
              h,
              depth + 1,
              grouped);
      children[4 * node + q] = child;
    }
    return node;
  }

  private int quadrant(int i, double cx, double cy) {
    return (y[2 * i] >= cx ? 1 : 0) | (y[2 * i + 1] >= cy ? 2 : 0);
  }

  private void addGroup(int node) {
    if (groupCount == groups.length) {
      groups = Arrays.copyOf(groups, 2 * groupCount);
    }
    groups[groupCount++] = node;
  }

  private int add() {
    if (nodes == count.length) {
      int m = nodes * 2;
      children = Arrays.copyOf(children, 4 * m);
      count = Arrays.copyOf(count, m);
      start = Arrays.copyOf(start, m);
      massX = Arrays.copyOf(massX, m);
      massY = Arrays.copyOf(massY, m);
      width2 = Arrays.copyOf(width2, m);
    }
    return nodes++;
  }

  /** The points in the tree's order: each cell's points are contiguous. */
  int[] order() {
    return order;
  }

  private boolean isLeaf(int node) {
    int o = 4 * node;
    return children[o] < 0 && children[o + 1] < 0 && children[o + 2] < 0 && children[o + 3] < 0;
  }

  /**
   * The repulsion on every point: writes {@code z[i] = Σ_{j≠i} q_ij} and {@code force[2i..2i+1] =
   * Σ_j q_ij² (y_i - y_j)} with {@code q_ij = 1 / (1 + |y_i - y_j|²)}, far cells summarised with
   * opening angle {@code theta}.
   */
  void repulsion(double theta, double[] z, double[] force, ForkJoinPool pool) {
    int chunk = 64;
    int chunks = (groupCount + chunk - 1) / chunk;
    TsneOptimizer.parallel(
        pool,
        chunks,
        c -> {
          Interactions list = new Interactions();
          int[] stack = new int[4 * (MAX_DEPTH + 2)];
          for (int g = c * chunk, end = Math.min(groupCount, g + chunk); g < end; g++) {
            interactions(groups[g], theta, list, stack);
            sum(groups[g], list, z, force);
          }
        });
  }

  /** The cells and points acting on group {@code group}, far cells judged from its bounding box. */
  private void interactions(int group, double theta, Interactions list, int[] stack) {
    int lo = start[group];
    int hi = lo + count[group];
    double x0 = Double.POSITIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (int p = lo; p < hi; p++) {
      x0 = Math.min(x0, px[p]);
      x1 = Math.max(x1, px[p]);
      y0 = Math.min(y0, py[p]);
      y1 = Math.max(y1, py[p]);
    }
    double theta2 = theta * theta;
    list.size = 0;
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int node = stack[--top];
      double mx = massX[node];
      double my = massY[node];
      double dx = Math.max(0, Math.max(x0 - mx, mx - x1));
      double dy = Math.max(0, Math.max(y0 - my, my - y1));
      if (width2[node] < theta2 * (dx * dx + dy * dy)) {
        list.add(mx, my, count[node]);
      } else if (isLeaf(node)) {
        for (int p = start[node], end = p + count[node]; p < end; p++) {
          list.add(px[p], py[p], 1);
        }
      } else {
        for (int q = 3; q >= 0; q--) {
          int child = children[4 * node + q];
          if (child >= 0) {
            stack[top++] = child;
          }
        }
      }
    }
  }

  /** Sums {@code list} for each point of {@code group}; a point meets itself once (q = 1). */
  private void sum(int group, Interactions list, double[] z, double[] force) {
    double[] lx = list.x;
    double[] ly = list.y;
    double[] lm = list.mass;
    int size = list.size;
    for (int p = start[group], end = p + count[group]; p < end; p++) {
      double xi = px[p];
      double yi = py[p];
      double zi = 0;
      double fx = 0;
      double fy = 0;
      for (int k = 0; k < size; k++) {
        double dx = xi - lx[k];
        double dy = yi - ly[k];
        double q = 1 / (1 + dx * dx + dy * dy);
        double mq = lm[k] * q;
        zi += mq;
        fx += mq * q * dx;
        fy += mq * q * dy;
      }
      int i = order[p];
      z[i] = zi - 1;
      force[2 * i] = fx;
      force[2 * i + 1] = fy;
    }
  }

  /** A growable list of point masses acting on a group. */
  private static final class Interactions {
    double[] x = new double[1024];
    double[] y = new double[1024];
    double[] mass = new double[1024];
    int size;

    void add(double px, double py, double m) {
      if (size == x.length) {
        x = Arrays.copyOf(x, 2 * size);
        y = Arrays.copyOf(y, 2 * size);
        mass = Arrays.copyOf(mass, 2 * size);
      }
      x[size] = px;
      y[size] = py;
      mass[size++] = m;
    }
  }
}
