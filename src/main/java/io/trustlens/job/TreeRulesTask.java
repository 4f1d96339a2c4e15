package io.trustlens.job;

import io.trustlens.explain.design.TreeRules;
import io.trustlens.explain.design.TreeRulesExplainer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.HtmlReport;
import io.trustlens.report.TreeDiagram;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task with method {@code tree_rules} (MLlib DecisionTree, RandomForest and GBT
 * models): per row the leaf of every tree ({@code rule_leaves}) and, for one tree, its rule ({@code
 * rule}); in the summary the rules most used across the rows (per tree, the first {@link
 * #TREES_LISTED} trees of an ensemble) with their rows and training counts; in the report those
 * rules and the (first) tree drawn to depth {@link #DRAWN_DEPTH}.
 */
final class TreeRulesTask {
  static final int TREES_LISTED = 10;
  static final int DRAWN_DEPTH = 4;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    Dataset<Row> table = run.input().table();
    Dataset<Row> prepared = run.input().prepare(model);
    FeatureSpace features = run.input().features(model, prepared);
    TreeRulesExplainer stage =
        new TreeRulesExplainer().setModelPath(run.spec().models.get(run.spec().modelOf(task)));
    ExplainTask.readInput(run, model, features, stage, "tree_rules");
    stage.transformSchema(table.schema()); // every check before any task runs
    TreeRules rules = stage.rules(table.schema());
    String name = task.name != null ? task.name : "rules";
    String out = stage.getOutputCol();
    int trees = rules.trees();
    int listed = Math.min(trees, TREES_LISTED);
    // The rows per leaf of the listed trees are counted as the rows are written.
    LeafCounts counts =
        LeafCounts.whileWriting(
            run.appended(table, stage.transform(table)), out + "_leaves", listed);
    String path = run.writeTable(name, counts::table);
    List<Map<String, Object>> perTree = new ArrayList<>();
    List<List<Object>> reportRows = new ArrayList<>();
    for (int t = 0; t < listed; t++) {
      List<Map<String, Object>> top = new ArrayList<>();
      for (long[] used : counts.mostUsed(t, trees == 1 ? 20 : 3)) {
        int leaf = (int) used[0];
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("rule", rules.rule(t, leaf));
        rule.put("rows", used[1]);
        rule.put("training_count", rules.cover(t, leaf));
        rule.put("leaf", leaf);
        top.add(rule);
        reportRows.add(List.of(t, rules.rule(t, leaf), used[1]));
      }
      Map<String, Object> tree = new LinkedHashMap<>();
      tree.put("tree", t);
      tree.put("most_used", top);
      perTree.add(tree);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "tree_rules");
    result.put("trees", trees);
    result.put("rules", perTree);
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(
        "model",
        run.spec().models.get(run.spec().modelOf(task)) + " (" + model.info().type() + ")");
    facts.put("trees", trees);
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (tree rules)").keyValues(facts);
    section.table(
        List.of(
            "tree",
            "rule (n: the leaf's training count)",
            trees == 1 ? "rows" : "rows (most used per tree)"),
        reportRows);
    section.figure(
        (trees == 1 ? "The tree" : "Tree 0 of " + trees)
            + (rules.isLeaf(0, 0)
                ? ""
                : ", to depth "
                    + DRAWN_DEPTH
                    + ": splits show the condition"
                    + " of their 'yes' branch, leaves their outcome and training count"),
        TreeDiagram.draw(node(rules, 0, 0, 0)));
    return result;
  }

  private static TreeDiagram.Node node(TreeRules rules, int t, int n, int depth) {
    if (rules.isLeaf(t, n)) {
      return new TreeDiagram.Node(rules.outcome(t, n), null, null);
    }
    if (depth == DRAWN_DEPTH) {
      return new TreeDiagram.Node("… (n = " + Math.round(rules.cover(t, n)) + ")", null, null);
    }
    int[] c = rules.children(t, n);
    return new TreeDiagram.Node(
        rules.split(t, n), node(rules, t, c[0], depth + 1), node(rules, t, c[1], depth + 1));
  }
}
