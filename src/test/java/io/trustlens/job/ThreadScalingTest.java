package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadScalingTest {
  @Test
  void everyCallRunsAndTheRatioIsOfRates() {
    AtomicInteger calls = new AtomicInteger();
    double ratio = ThreadScaling.twoOverOne(calls::incrementAndGet, 10);
    // One warm-up call, then three rounds of one thread's 10 calls and two threads' 20.
    assertEquals(1 + 3 * (10 + 20), calls.get());
    assertTrue(ratio > 0 && Double.isFinite(ratio), "ratio " + ratio);
  }

  @Test
  void aFailingCallIsNamed() {
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ThreadScaling.twoOverOne(
                    () -> {
                      if (calls.incrementAndGet() > 3) {
                        throw new ArithmeticException("model broke");
                      }
                    },
                    5));
    assertTrue(e.getMessage().contains("model broke"), e.getMessage());
  }

  @Test
  void aboutASecondOfCalls() {
    assertEquals(50, ThreadScaling.callsPerSecond(1600, 32));
    assertEquals(4, ThreadScaling.callsPerSecond(10, 32));
    assertEquals(100_000, ThreadScaling.callsPerSecond(1e12, 1));
  }
}
