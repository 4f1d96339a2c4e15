package io.trustlens.job;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** Reads and writes audit specs as YAML, with errors that name the line and the key. */
public final class AuditSpecParser {
  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  /** The task type each task class holds, for errors. */
  private static final java.util.Map<Class<?>, String> TYPES =
      java.util.Map.of(
          ScoreSpec.class,
          "score",
          DataSpec.class,
          "data",
          ExplainSpec.class,
          "explain",
          ExploreSpec.class,
          "explore",
          UncertaintySpec.class,
          "uncertainty");

  private AuditSpecParser() {}

  /**
   * Reads the spec in {@code file}, replaces its output by {@code output} unless null, and
   * validates it.
   */
  public static AuditSpec load(Path file, String output) {
    return load(file, output, java.util.List.of(), System.getenv());
  }

  /**
   * Reads the spec in {@code file} with its {@code ${NAME}} variables taken from {@code env} and
   * the {@code key=value} overrides of {@code sets} applied ({@link SpecOverrides}), replaces its
   * output by {@code output} unless null, and validates it.
   */
  public static AuditSpec load(
      Path file, String output, java.util.List<String> sets, java.util.Map<String, String> env) {
    String source = file.toString();
    String text = SpecOverrides.substitute(text(file), env, source);
    AuditSpec spec =
        parse(
            SpecOverrides.apply(text, sets, source),
            sets.isEmpty() ? source : source + " with --set");
    if (output != null) {
      spec.output = output;
    }
    spec.validate(file.toString());
    return spec;
  }

  /** Parses the spec in {@code file} without validating it. */
  public static AuditSpec read(Path file) {
    return parse(text(file), file.toString());
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException("audit spec not found: " + file);
    } catch (IOException e) {
      throw new SpecException("cannot read audit spec " + file + ": " + e.getMessage());
    }
  }

  /** Parses spec text without validating it; {@code source} names it in errors. */
  public static AuditSpec parse(String text, String source) {
    AuditSpec spec;
    try {
      spec = YAML.readValue(text, AuditSpec.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(String::valueOf)
              .sorted()
              .collect(Collectors.joining(", "));
      String type = TYPES.get(e.getReferringClass());
      throw new SpecException(
          source
              + at(e.getLocation())
              + ": unknown key '"
              + e.getPropertyName()
              + "' in "
              + path(e)
              + SpecException.didYouMean(
                  e.getPropertyName(),
                  e.getKnownPropertyIds().stream().map(String::valueOf).toArray(String[]::new))
              + (type == null
                  ? "; expected one of: "
                  : ": "
                      + (type.matches("[aeiou].*") ? "an " : "a ")
                      + type
                      + " task takes no such key; it takes: ")
              + known);
    } catch (InvalidTypeIdException e) {
      throw new SpecException(
          source
              + at(e.getLocation())
              + ": "
              + path(e).replaceAll("'tasks\\[(\\d+)\\]'", "task $1")
              + ": type is '"
              + e.getTypeId()
              + "'"
              + SpecException.didYouMean(e.getTypeId(), AuditSpec.TASK_TYPES.toArray(String[]::new))
              + "; expected one of "
              + AuditSpec.TASK_TYPES);
    } catch (JsonProcessingException e) {
      throw new SpecException(
          source
              + at(e.getLocation())
              + ": malformed spec: "
              + e.getOriginalMessage()
              + (e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                      && !m.getPath().isEmpty()
                  ? " (key " + path(m) + ")"
                  : ""));
    }
    if (spec == null) {
      throw new SpecException(source + ": the spec is empty");
    }
    return spec;
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder p = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (p.length() > 0) {
          p.append('.');
        }
        p.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        p.append('[').append(ref.getIndex() + 1).append(']');
      }
    }
    return p.length() == 0 ? "the top level" : "'" + p + "'";
  }

  private static String at(JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? "" : ", line " + location.getLineNr();
  }

  /** The spec as YAML, readable back by {@link #parse}. */
  public static String write(AuditSpec spec) {
    try {
      return YAML.writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
