package dev.herald.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A listener that records every callback in order, so a test can assert the exact sequence and end
 * with {@link #assertExhausted()}: anything the test did not expect fails it.
 */
final class Recorder implements EventStreamParser.Listener {
  /** One recorded callback. Records compare by value, so whole sequences can be compared. */
  sealed interface Call permits OnEvent, OnRetry, OnComment {}

  record OnEvent(String type, String data, String lastEventId) implements Call {}

  record OnRetry(long millis) implements Call {}

  record OnComment(String comment) implements Call {}

  private final List<Call> calls = new ArrayList<>();
  private final Deque<Call> unchecked = new ArrayDeque<>();

  @Override
  public void onEvent(String type, String data, String lastEventId) {
    record(new OnEvent(type, data, lastEventId));
  }

  @Override
  public void onRetry(long millis) {
    record(new OnRetry(millis));
  }

  @Override
  public void onComment(String comment) {
    record(new OnComment(comment));
  }

  private void record(Call call) {
    calls.add(call);
    unchecked.add(call);
  }

  /** Every callback so far, in order. */
  List<Call> calls() {
    return List.copyOf(calls);
  }

  Recorder assertEvent(String type, String data, String lastEventId) {
    return assertNext(new OnEvent(type, data, lastEventId));
  }

  /** An event of the default type {@code message}. */
  Recorder assertMessage(String data, String lastEventId) {
    return assertEvent("message", data, lastEventId);
  }

  Recorder assertRetry(long millis) {
    return assertNext(new OnRetry(millis));
  }

  Recorder assertComment(String comment) {
    return assertNext(new OnComment(comment));
  }

  private Recorder assertNext(Call expected) {
    assertThat(unchecked).as("callbacks left to check, expecting %s", expected).isNotEmpty();
    assertThat(unchecked.poll()).isEqualTo(expected);
    return this;
  }

  /** Fails if any callback was recorded that the test has not asserted. */
  void assertExhausted() {
    assertThat(unchecked).as("unexpected callbacks").isEmpty();
  }
}
