package io.trustlens.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A decision tree drawn top-down: each split shows the condition its left branch meets (edges "yes"
 * and "no"), each leaf its outcome; leaves are spread left to right in order and a split sits above
 * the middle of its leaves.
 */
public final class TreeDiagram {
  private TreeDiagram() {}

  /** A node: a split (with both branches) or a leaf (without). */
  public record Node(String label, Node yes, Node no) {
    boolean leaf() {
      return yes == null;
    }
  }

  private static final int SLOT = 150;
  private static final int LEVEL = 64;

  /** The SVG of the tree under {@code root}. */
  public static String draw(Node root) {
    List<Node> leaves = new ArrayList<>();
    collect(root, leaves);
    int depth = depth(root);
    Svg svg = new Svg(Math.max(300, leaves.size() * SLOT + 20), (depth + 1) * LEVEL + 30);
    place(svg, root, leaves, 0);
    return svg.end();
  }

  private static void collect(Node n, List<Node> leaves) {
    if (n.leaf()) {
      leaves.add(n);
    } else {
      collect(n.yes(), leaves);
      collect(n.no(), leaves);
    }
  }

  private static int depth(Node n) {
    return n.leaf() ? 0 : 1 + Math.max(depth(n.yes()), depth(n.no()));
  }

  /** Draws {@code n} at {@code level}; returns its x. */
  private static double place(Svg svg, Node n, List<Node> leaves, int level) {
    double y = 20 + level * LEVEL;
    double x;
    if (n.leaf()) {
      x = 10 + leaves.indexOf(n) * SLOT + SLOT / 2.0;
      List<String> lines = split(n.label(), 24);
      for (int i = 0; i < lines.size(); i++) {
        svg.text(x, y + 14 * i, "middle", lines.get(i));
      }
      return x;
    }
    double left = place(svg, n.yes(), leaves, level + 1);
    double right = place(svg, n.no(), leaves, level + 1);
    x = (left + right) / 2;
    svg.line(x, y + 4, left, y + LEVEL - 14, "#888");
    svg.line(x, y + 4, right, y + LEVEL - 14, "#888");
    svg.text((x + left) / 2 - 4, y + LEVEL / 2.0, "end", "yes");
    svg.text((x + right) / 2 + 4, y + LEVEL / 2.0, "start", "no");
    svg.text(x, y, "middle", n.label());
    return x;
  }

  /** {@code text} cut into lines of about {@code width} characters at spaces. */
  private static List<String> split(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" ")) {
      if (line.length() > 0 && line.length() + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
