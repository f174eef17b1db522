package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Event} is a validated value: anything that could break or inject a frame is rejected. */
class EventTest {
  @Test
  void idWithLineBreakOrNulIsRejectedNamingTheField() {
    for (String bad : new String[] {"a\nb", "a\rb", "\r\n", "a\0"}) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Event.builder().id(bad))
          .withMessageStartingWith("id must not contain");
    }
  }

  @Test
  void typeWithLineBreakOrNulIsRejectedNamingTheField() {
    for (String bad : new String[] {"a\nb", "a\rb", "\n", "\0"}) {
      assertThatIllegalArgumentException()
          .isThrownBy(() -> Event.builder().type(bad))
          .withMessageStartingWith("type must not contain");
    }
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Event.named("a\nevent: injected", "x"))
        .withMessageStartingWith("type must not contain");
  }

  @Test
  void rejectedValueIsQuotedWithItsControlCharactersVisible() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Event.builder().id("1\ndata: injected"))
        .withMessage("id must not contain CR or LF (it would end the line): \"1\\ndata: injected\"");
  }

  @Test
  void negativeRetryIsRejectedNamingTheField() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Event.builder().retry(Duration.ofMillis(-1)))
        .withMessageStartingWith("retry must not be negative");
  }

  @Test
  void retryTooLargeToExpressInMillisecondsIsRejectedNamingTheField() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Event.builder().retry(Duration.ofSeconds(Long.MAX_VALUE)))
        .withMessageStartingWith("retry must fit");
    assertThat(Event.retry(Duration.ofMillis(Long.MAX_VALUE)).retry()).hasMillis(Long.MAX_VALUE);
  }

  @Test
  void eventWithNothingToSendIsRejected() {
    assertThatIllegalStateException().isThrownBy(() -> Event.builder().build());
    assertThatIllegalStateException().isThrownBy(() -> Event.builder().type("").build());
  }

  @Test
  void nullCommentIsRejected() {
    assertThatNullPointerException().isThrownBy(() -> Event.builder().comment(null));
  }

  @Test
  void dataAndCommentsMayHoldAnyText() {
    Event event = Event.builder().data("a\r\nb\0\rc").comment("x\ny").comment("\0").build();
    assertThat(event.data()).isEqualTo("a\r\nb\0\rc");
    assertThat(event.comments()).containsExactly("x\ny", "\0");
  }

  @Test
  void emptyTypeMeansTheDefaultTypeAndIsStoredAsNull() {
    assertThat(Event.builder().type("").data("x").build().type()).isNull();
    assertThat(Event.of("x").type()).isNull();
    assertThat(Event.named("t", "x").type()).isEqualTo("t");
  }

  @Test
  void emptyIdIsKeptBecauseItResetsTheClientsLastEventId() {
    assertThat(Event.builder().id("").build().id()).isEmpty();
  }

  @Test
  void factoriesFillOnlyTheirField() {
    assertThat(Event.of("d")).isEqualTo(Event.builder().data("d").build());
    assertThat(Event.named("t", "d")).isEqualTo(Event.builder().type("t").data("d").build());
    assertThat(Event.retry(Duration.ofSeconds(3))).isEqualTo(Event.builder().retry(Duration.ofSeconds(3)).build());
    assertThat(Event.comment("c")).isEqualTo(Event.builder().comment("c").build());
  }

  @Test
  void toBuilderDerivesAChangedCopyAndLeavesTheOriginalAlone() {
    Event original = Event.builder().type("t").data("d").comment("c").retry(Duration.ofSeconds(1)).build();
    Event withId = original.toBuilder().id("7").comment("c2").build();
    assertThat(withId.id()).isEqualTo("7");
    assertThat(withId.type()).isEqualTo("t");
    assertThat(withId.data()).isEqualTo("d");
    assertThat(withId.retry()).isEqualTo(Duration.ofSeconds(1));
    assertThat(withId.comments()).containsExactly("c", "c2");
    assertThat(original.id()).isNull();
    assertThat(original.comments()).containsExactly("c");
    assertThat(original.toBuilder().build()).isEqualTo(original).hasSameHashCodeAs(original);
  }

  @Test
  void commentsListIsImmutable() {
    Event event = Event.comment("c");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> event.comments().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringShowsTheFieldsAndShortensLongData() {
    Event event = Event.builder().id("1").type("t").data("x".repeat(100)).build();
    assertThat(event.toString()).startsWith("Event{id=1, type=t, data=xxx").endsWith("...}");
  }
}
