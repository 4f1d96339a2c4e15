package io.trustlens.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits on progress, not on a guessed wall time: as long as what it observes (log sizes, committed
 * tasks) keeps changing, it waits; it gives up only after {@link #STALL} without any change, or
 * when the process it waits on is gone, and then says what it saw last. A machine loaded to many
 * times its cores makes a job slower, never silent for minutes.
 */
final class ProgressWait {
  /** How long nothing may change before a wait gives up. */
  static final Duration STALL = Duration.ofMinutes(3);

  private static final long POLL_MILLIS = 50;

  private ProgressWait() {}

  /**
   * Polls {@code done} until it gives a value.
   *
   * @param what what is awaited, for the message
   * @param observe a snapshot of everything that moves while the awaited thing progresses
   * @param alive false once waiting longer cannot help (the process exited)
   */
  static <T> T until(
      String what, Supplier<Optional<T>> done, Supplier<String> observe, BooleanSupplier alive)
      throws InterruptedException {
    String seen = observe.get();
    long changed = System.nanoTime();
    while (true) {
      Optional<T> value = done.get();
      if (value.isPresent()) {
        return value.get();
      }
      if (!alive.getAsBoolean()) {
        throw new AssertionError(
            "gave up waiting for " + what + ": the process ended; last seen: " + observe.get());
      }
      String now = observe.get();
      if (!now.equals(seen)) {
        seen = now;
        changed = System.nanoTime();
      } else if (System.nanoTime() - changed > STALL.toNanos()) {
        throw new AssertionError(
            "gave up waiting for "
                + what
                + ": nothing changed for "
                + STALL
                + "; last seen: "
                + now);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Waits until {@code process} exits while {@code observe} keeps changing; its exit code. */
  static int exit(Process process, String what, Supplier<String> observe)
      throws InterruptedException {
    return until(
        what,
        () -> process.isAlive() ? Optional.empty() : Optional.of(process.exitValue()),
        observe,
        () -> true);
  }

  /** The number of files under {@code roots} and their total size: grows as logs are written. */
  static String filesUnder(Path... roots) {
    long files = 0;
    long bytes = 0;
    for (Path root : roots) {
      if (!Files.exists(root)) {
        continue;
      }
      try (var walk = Files.walk(root)) {
        for (Path p : (Iterable<Path>) walk::iterator) {
          if (Files.isRegularFile(p)) {
            files++;
            bytes += Files.size(p);
          }
        }
      } catch (IOException | UncheckedIOException racedWithTheWriter) {
        return "files changing";
      }
    }
    return files + " files, " + bytes + " bytes";
  }
}
