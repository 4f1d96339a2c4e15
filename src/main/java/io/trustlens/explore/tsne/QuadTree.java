package io.trustlens.explore.tsne;

import java.util.Arrays;

/**
 * A quadtree over 2-D points for Barnes-Hut repulsion (van der Maaten 2014, JMLR 15): each cell
 * knows its points' count and centre of mass; a cell small enough seen from a point ({@code width /
 * distance < θ}) acts as one point of that mass. Leaves hold up to {@value #LEAF} points. Built
 * from the points in index order, so the same points always give the same tree.
 */
final class QuadTree {
  private static final int LEAF = 8;

  private int[] children = new int[4096];
  private int[] count = new int[1024];
  private int[] start = new int[1024];
  private double[] massX = new double[1024];
  private double[] massY = new double[1024];
  private double[] width = new double[1024];
  private int nodes;
  private final int[] order;
  private final int[] scratch;
  private final double[] y;

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
    build(0, n, minX, minY, w, 0);
  }

  private int build(int lo, int hi, double x0, double y0, double w, int depth) {
    int node = add();
    count[node] = hi - lo;
    start[node] = lo;
    width[node] = w;
    double sx = 0;
    double sy = 0;
    for (int p = lo; p < hi; p++) {
      sx += y[2 * order[p]];
      sy += y[2 * order[p] + 1];
    }
    massX[node] = sx / (hi - lo);
    massY[node] = sy / (hi - lo);
    Arrays.fill(children, 4 * node, 4 * node + 4, -1);
    if (hi - lo <= LEAF || depth >= 48) {
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
              depth + 1);
      children[4 * node + q] = child;
    }
    return node;
  }

  private int quadrant(int i, double cx, double cy) {
    return (y[2 * i] >= cx ? 1 : 0) | (y[2 * i + 1] >= cy ? 2 : 0);
  }

  private int add() {
    if (nodes == count.length) {
      int m = nodes * 2;
      children = Arrays.copyOf(children, 4 * m);
      count = Arrays.copyOf(count, m);
      start = Arrays.copyOf(start, m);
      massX = Arrays.copyOf(massX, m);
      massY = Arrays.copyOf(massY, m);
      width = Arrays.copyOf(width, m);
    }
    return nodes++;
  }

  /**
   * The repulsion on point {@code i}: writes {@code Σ_j q_ij² (y_i - y_j)} to {@code force} and
   * returns {@code Σ_j q_ij} with {@code q_ij = 1 / (1 + |y_i - y_j|²)}, over every other point,
   * far cells summarised. {@code stack} is scratch of at least 4 × depth + 1 ints.
   */
  double repulsion(int i, double theta, double[] force, int[] stack) {
    double xi = y[2 * i];
    double yi = y[2 * i + 1];
    double theta2 = theta * theta;
    double z = 0;
    double fx = 0;
    double fy = 0;
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int node = stack[--top];
      double dx = xi - massX[node];
      double dy = yi - massY[node];
      double d2 = dx * dx + dy * dy;
      if (count[node] <= LEAF || isLeaf(node)) {
        for (int p = start[node], end = p + count[node]; p < end; p++) {
          int j = order[p];
          if (j == i) {
            continue;
          }
          double ex = xi - y[2 * j];
          double ey = yi - y[2 * j + 1];
          double q = 1 / (1 + ex * ex + ey * ey);
          z += q;
          fx += q * q * ex;
          fy += q * q * ey;
        }
      } else if (width[node] * width[node] < theta2 * d2) {
        double q = 1 / (1 + d2);
        double m = count[node];
        z += m * q;
        fx += m * q * q * dx;
        fy += m * q * q * dy;
      } else {
        for (int q = 0; q < 4; q++) {
          int child = children[4 * node + q];
          if (child >= 0) {
            stack[top++] = child;
          }
        }
      }
    }
    force[0] = fx;
    force[1] = fy;
    return z;
  }

  private boolean isLeaf(int node) {
    int o = 4 * node;
    return children[o] < 0 && children[o + 1] < 0 && children[o + 2] < 0 && children[o + 3] < 0;
  }

  /** The deepest stack {@link #repulsion} may need. */
  int stackSize() {
    return 4 * 50 + 1;
  }
}
