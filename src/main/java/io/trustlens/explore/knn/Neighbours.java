package io.trustlens.explore.knn;

import java.util.Arrays;

/**
 * The {@code k} nearest neighbours of one point: their indices and squared distances, nearest first
 * (ties by index). Kept in a bounded max-heap while candidates stream in.
 */
public final class Neighbours {
  private final int k;
  private final int[] index;
  private final double[] distance;
  private int size;

  public Neighbours(int k) {
    this.k = k;
    this.index = new int[k];
    this.distance = new double[k];
  }

  /** Forgets every candidate. */
  public void clear() {
    size = 0;
  }

  /** Offers candidate {@code i} at squared distance {@code d2}. */
  public void offer(int i, double d2) {
    if (size < k) {
      index[size] = i;
      distance[size] = d2;
      siftUp(size++);
    } else if (before(d2, i, distance[0], index[0])) {
      index[0] = i;
      distance[0] = d2;
      siftDown(0);
    }
  }

  /** The worst squared distance kept, or infinity while fewer than k are kept. */
  public double bound() {
    return size < k ? Double.POSITIVE_INFINITY : distance[0];
  }

  public int size() {
    return size;
  }

  /** Writes the kept neighbours nearest first into {@code outIndex} and {@code outDistance}. */
  public void sorted(int[] outIndex, double[] outDistance) {
    Integer[] idx = new Integer[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    Arrays.sort(
        idx,
        (a, b) -> {
          int c = Double.compare(distance[a], distance[b]);
          return c != 0 ? c : Integer.compare(index[a], index[b]);
        });
    for (int i = 0; i < size; i++) {
      outIndex[i] = index[idx[i]];
      outDistance[i] = distance[idx[i]];
    }
  }

  private static boolean before(double d1, int i1, double d2, int i2) {
    return d1 < d2 || (d1 == d2 && i1 < i2);
  }

  private void siftUp(int c) {
    while (c > 0) {
      int p = (c - 1) / 2;
      if (!before(distance[p], index[p], distance[c], index[c])) {
        return;
      }
      swap(p, c);
      c = p;
    }
  }

  private void siftDown(int p) {
    while (true) {
      int l = 2 * p + 1;
      if (l >= size) {
        return;
      }
      int worst = l;
      int r = l + 1;
      if (r < size && before(distance[l], index[l], distance[r], index[r])) {
        worst = r;
      }
      if (!before(distance[p], index[p], distance[worst], index[worst])) {
        return;
      }
      swap(p, worst);
      p = worst;
    }
  }

  private void swap(int a, int b) {
    int ti = index[a];
    index[a] = index[b];
    index[b] = ti;
    double td = distance[a];
    distance[a] = distance[b];
    distance[b] = td;
  }
}
