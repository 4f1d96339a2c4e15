package io.trustlens.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextTokensTest {

  @Test
  void wordsAreLowerCaseLettersAndDigits() {
    assertEquals(
        List.of("senior", "python", "dev", "5", "years"),
        TextTokens.of("Senior Python-dev, 5 YEARS!"));
    assertEquals(List.of(), TextTokens.of(null));
    assertEquals(List.of(), TextTokens.of("  ...  "));
  }

  @Test
  void imageShapesParseAndCount() {
    ImageShape s = ImageShape.parse("3, 224,224");
    assertEquals(new ImageShape(3, 224, 224), s);
    assertEquals(3 * 224 * 224, s.size());
    assertThrows(IllegalArgumentException.class, () -> ImageShape.parse("3,224"));
    assertThrows(IllegalArgumentException.class, () -> ImageShape.parse("0,8,8"));
  }
}
