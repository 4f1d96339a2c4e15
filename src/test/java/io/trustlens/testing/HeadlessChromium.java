package io.trustlens.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium, headless with a fresh profile, driven over the DevTools protocol (Java's own
 * WebSocket client): opens a page, records console errors, uncaught exceptions, dialogs and every
 * network request, and evaluates an expression in the page. Every wait is bounded by an event (the
 * browser's DevTools line, a reply, the load event) and says what it saw when it gives up.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 120;

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final List<String> problems = new ArrayList<>();
  private final List<String> requests = new ArrayList<>();
  private String session;

  /** The browser's path, or null when none is installed. */
  public static Path find() {
    for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  /** Starts {@code browser} headless and connects to it. */
  public HeadlessChromium(Path browser) throws Exception {
    profile = Files.createTempDirectory("trustlens-chromium");
    process =
        new ProcessBuilder(
                browser.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--remote-debugging-port=0",
                "about:blank")
            .redirectErrorStream(true)
            .start();
    String url = devToolsUrl();
    socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(url), new Listener())
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private String devToolsUrl() throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> found = new CompletableFuture<>();
    List<String> seen = new ArrayList<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  synchronized (seen) {
                    seen.add(line);
                  }
                  int i = line.indexOf("ws://");
                  if (line.contains("DevTools listening on") && i >= 0) {
                    found.complete(line.substring(i).trim());
                  }
                }
                found.completeExceptionally(new IllegalStateException("the browser exited"));
              } catch (java.io.IOException e) {
                found.completeExceptionally(e);
              }
            });
    reader.setDaemon(true);
    reader.start();
    try {
      return found.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      synchronized (seen) {
        throw new IllegalStateException(
            "Chromium gave no DevTools address; it printed: " + seen, e);
      }
    }
  }

  /** Opens {@code page} in a new tab and waits for its load event. */
  public void open(Path page) throws Exception {
    String target =
        call("Target.createTarget", Map.of("url", "about:blank"), false).path("targetId").asText();
    session =
        call("Target.attachToTarget", Map.of("targetId", target, "flatten", true), false)
            .path("sessionId")
            .asText();
    for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
      call(domain + ".enable", Map.of(), true);
    }
    call("Page.navigate", Map.of("url", page.toUri().toString()), true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    List<String> methods = new ArrayList<>();
    while (true) {
      JsonNode e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new IllegalStateException("no load event; events seen: " + methods);
      }
      String method = e.path("method").asText();
      methods.add(method);
      record(e);
      if (method.equals("Page.loadEventFired")) {
        return;
      }
    }
  }

  private void record(JsonNode e) {
    String method = e.path("method").asText();
    JsonNode p = e.path("params");
    switch (method) {
      case "Runtime.exceptionThrown" -> problems.add("exception: " + p.path("exceptionDetails"));
      case "Runtime.consoleAPICalled" -> {
        if (p.path("type").asText().equals("error")) {
          problems.add("console error: " + p.path("args"));
        }
      }
      case "Log.entryAdded" -> {
        if (p.path("entry").path("level").asText().equals("error")) {
          problems.add("log error: " + p.path("entry").path("text").asText());
        }
      }
      case "Page.javascriptDialogOpening" -> problems.add("dialog: " + p.path("message"));
      case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
      default -> {}
    }
  }

  /** The value of {@code expression} evaluated in the page (JSON-serialisable). */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode r =
        call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true), true);
    events.forEach(this::record);
    events.clear();
    return r.path("result").path("value");
  }

  /** Console errors, uncaught exceptions and dialogs seen so far. */
  public List<String> problems() {
    events.forEach(this::record);
    events.clear();
    return List.copyOf(problems);
  }

  /** The URLs the page requested (its own file included). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private JsonNode call(String method, Map<String, Object> params, boolean inSession)
      throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode message = JSON.createObjectNode();
    message.put("id", id);
    message.put("method", method);
    message.set("params", JSON.valueToTree(params));
    if (inSession) {
      message.put("sessionId", session);
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    replies.put(id, reply);
    socket.sendText(JSON.writeValueAsString(message), true).get(WAIT_SECONDS, TimeUnit.SECONDS);
    JsonNode r;
    try {
      r = reply.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no reply to " + method + " in " + WAIT_SECONDS + " s", e);
    }
    if (r.has("error")) {
      throw new IllegalStateException(method + " failed: " + r.get("error"));
    }
    return r.path("result");
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if (m.has("id")) {
            CompletableFuture<JsonNode> f = replies.remove(m.get("id").asInt());
            if (f != null) {
              f.complete(m);
            }
          } else {
            events.add(m);
          }
        } catch (java.io.IOException e) {
          problems.add("unreadable DevTools message: " + e.getMessage());
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.abort();
    } finally {
      // Chromium's helpers (the network service among them) write into the profile until they
      // exit: wait for every one, not only the browser, before the profile is removed.
      List<ProcessHandle> helpers = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      for (ProcessHandle helper : helpers) {
        helper.destroy();
        try {
          helper.onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          helper.destroyForcibly();
        }
      }
      deleteProfile();
    }
  }

  /**
   * Removes the temporary profile; a file that vanishes during the walk (a helper's last rename) is
   * already gone, and the walk starts again.
   */
  private void deleteProfile() throws IOException {
    for (int attempt = 0; ; attempt++) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        return;
      } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
        if (attempt == 10) {
          throw e instanceof java.io.UncheckedIOException u ? u.getCause() : (IOException) e;
        }
      }
    }
  }
}
