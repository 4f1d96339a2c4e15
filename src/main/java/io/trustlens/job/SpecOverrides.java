package io.trustlens.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a scheduler changes in an audit spec without editing it: {@code ${NAME}} (or {@code
 * ${NAME:-default}}) replaced by the environment variable in the spec's text, {@code $${} kept as
 * {@code ${}; and {@code --set key=value} overrides by dotted path ({@code output},
 * {@code input.path}, {@code tasks.2.max_psi}: tasks counted from 1), the value read as YAML (a
 * number, true, a list {@code [a, b]}, or text).
 */
final class SpecOverrides {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SpecOverrides() {}

  /** {@code text} with every {@code ${NAME}} replaced from {@code env}. */
  static String substitute(String text, Map<String, String> env, String source) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$${")) {
        replacement = "${";
      } else {
        String value = env.get(m.group(1));
        if (value == null && m.group(2) == null) {
          int line = 1 + (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count();
          throw new SpecException(
              source
                  + ", line "
                  + line
                  + ": the environment variable "
                  + m.group(1)
                  + " is not set (give a default: ${"
                  + m.group(1)
                  + ":-value})");
        }
        replacement = value != null ? value : m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code text} (YAML) with each {@code key=value} of {@code sets} applied; YAML again. */
  static String apply(String text, List<String> sets, String source) {
    if (sets.isEmpty()) {
      return text;
    }
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SpecException(source + ": malformed spec: " + e.getOriginalMessage());
    }
    if (!(root instanceof ObjectNode spec)) {
      throw new SpecException(source + ": the spec is not a map of keys");
    }
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw new SpecException(
            "--set " + set + ": expected key=value, such as tasks.1.max_psi=0.2");
      }
      String[] path = set.substring(0, eq).split("\\.");
      JsonNode value;
      try {
        value = YAML.readTree(set.substring(eq + 1));
      } catch (JsonProcessingException e) {
        throw new SpecException(
            "--set " + set + ": the value is not YAML: " + e.getOriginalMessage());
      }
      if (value == null || value.isMissingNode()) {
        value = YAML.getNodeFactory().textNode("");
      }
      JsonNode node = spec;
      for (int i = 0; i < path.length - 1; i++) {
        node = child(node, path[i], set);
      }
      String last = path[path.length - 1];
      if (node instanceof ObjectNode o) {
        o.set(last, value);
      } else {
        throw new SpecException("--set " + set + ": " + last + " is not under a map of keys");
      }
    }
    try {
      return YAML.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode child(JsonNode node, String key, String set) {
    if (node instanceof ArrayNode list) {
      int index;
      try {
        index = Integer.parseInt(key);
      } catch (NumberFormatException e) {
        throw new SpecException("--set " + set + ": '" + key + "' is not a task number");
      }
      if (index < 1 || index > list.size()) {
        throw new SpecException(
            "--set " + set + ": the spec lists " + list.size() + " entries, counted from 1");
      }
      return list.get(index - 1);
    }
    if (node instanceof ObjectNode o) {
      JsonNode next = o.get(key);
      if (next == null || next.isNull()) {
        next = o.putObject(key);
      }
      return next;
    }
    throw new SpecException("--set " + set + ": '" + key + "' is under a value, not a map");
  }
}
