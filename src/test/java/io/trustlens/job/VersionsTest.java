package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VersionsTest {
  @Test
  void djlsVersionIsReadAsDjlReadsIt() {
    String read = Versions.djl();
    assertEquals("0.36.0", read);
    assertEquals(ai.djl.engine.Engine.getDjlVersion(), read);
  }
}
