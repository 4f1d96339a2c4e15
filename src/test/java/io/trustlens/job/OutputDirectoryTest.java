package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The output folder's commit, and the temporary folders killed runs leave behind. */
class OutputDirectoryTest {
  @TempDir Path dir;

  private Path temporary(String suffix, String owner) throws Exception {
    Path t = dir.resolve(".out.tmp-" + suffix);
    Files.createDirectories(t.resolve("shap"));
    if (owner != null) {
      Files.writeString(t.resolve(OutputDirectory.OWNER), owner + "\n");
    }
    return t;
  }

  @Test
  void aKilledRunsFolderIsRemovedAndALiveRunsIsKept() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();
    String host = InetAddress.getLocalHost().getHostName();
    Path killed = temporary("killed", host + " " + done.pid());
    Path live = temporary("live", host + " " + ProcessHandle.current().pid());
    Path elsewhere = temporary("elsewhere", "another-host 12345");
    Path elsewhereOld = temporary("elsewhere-old", "another-host 12345");
    Files.setLastModifiedTime(
        elsewhereOld, FileTime.fromMillis(System.currentTimeMillis() - 2 * 86_400_000L));
    Path unrelated = Files.createDirectories(dir.resolve(".other.tmp-x"));
    try (OutputDirectory out =
        OutputDirectory.open(
            SparkTestSession.get(), dir.resolve("out").toString(), false, java.util.List.of())) {
      out.writeText("summary.json", "{}\n");
      out.commit();
    }
    assertFalse(Files.exists(killed), "its owner process is gone");
    assertFalse(Files.exists(elsewhereOld), "another host's, untouched for two days");
    assertTrue(Files.exists(live), "a running process owns it");
    assertTrue(Files.exists(elsewhere), "another host's, recent: it may be running");
    assertTrue(Files.exists(unrelated), "another output's");
    assertTrue(Files.exists(dir.resolve("out/summary.json")));
    assertFalse(Files.exists(dir.resolve("out").resolve(OutputDirectory.OWNER)), "not committed");
    assertEquals(
        3,
        Files.list(dir).filter(p -> p.getFileName().toString().startsWith(".")).count(),
        "live, elsewhere, unrelated, and nothing of this run");
  }
}
