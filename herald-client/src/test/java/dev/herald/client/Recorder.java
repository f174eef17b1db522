package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.client.EventSource.ReadyState;
import dev.herald.client.EventSourceError.Kind;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records every callback of a source in order; tests take them one by one and end with
 * {@link #assertExhausted()}, so no unexpected callback slips by.
 */
final class Recorder {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** How long {@link #assertExhausted()} watches for a stray callback. */
  static final Duration QUIET = Duration.ofMillis(200);

  sealed interface Callback permits Open, Message, Comment, Error {}

  record Open(ReadyState readyState, String thread) implements Callback {}

  record Message(String listener, MessageEvent event, String thread) implements Callback {}

  record Comment(String text) implements Callback {}

  record Error(EventSourceError error, ReadyState readyState) implements Callback {}

  private final BlockingQueue<Callback> callbacks = new LinkedBlockingQueue<>();

  /** Registers the recorder for open, error, comments, unnamed events and the given types. */
  EventSource.Builder attach(EventSource.Builder builder, String... types) {
    builder.onOpen(es -> callbacks.add(new Open(es.readyState(), Thread.currentThread().getName())))
        .onMessage(handler("message"))
        .onError((es, e) -> callbacks.add(new Error(e, es.readyState())))
        .onComment((es, c) -> callbacks.add(new Comment(c)));
    for (String type : types) builder.addEventListener(type, handler(type));
    return builder;
  }

  EventSource.MessageHandler handler(String listener) {
    return (es, e) -> callbacks.add(new Message(listener, e, Thread.currentThread().getName()));
  }

  Callback take() throws InterruptedException {
    Callback c = callbacks.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    if (c == null) fail("no callback within " + TIMEOUT);
    return c;
  }

  Open assertOpen() throws InterruptedException {
    Callback c = take();
    assertThat(c).isInstanceOf(Open.class);
    Open open = (Open) c;
    assertThat(open.readyState()).isEqualTo(ReadyState.OPEN);
    return open;
  }

  /** The next callback is the event, delivered to the listener of its own type. */
  MessageEvent assertEvent(String type, String data, String lastEventId) throws InterruptedException {
    Callback c = take();
    assertThat(c).isInstanceOf(Message.class);
    Message m = (Message) c;
    assertThat(m.event().type()).isEqualTo(type);
    assertThat(m.event().data()).isEqualTo(data);
    assertThat(m.event().lastEventId()).isEqualTo(lastEventId);
    assertThat(m.listener()).isEqualTo(type);
    return m.event();
  }

  MessageEvent assertMessage(String data) throws InterruptedException {
    Callback c = take();
    assertThat(c).isInstanceOf(Message.class);
    Message m = (Message) c;
    assertThat(m.event().type()).isEqualTo("message");
    assertThat(m.event().data()).isEqualTo(data);
    return m.event();
  }

  void assertComment(String text) throws InterruptedException {
    assertThat(take()).isEqualTo(new Comment(text));
  }

  /** The next callback is an error after which the source reconnects. */
  EventSourceError assertRetrying(Kind kind) throws InterruptedException {
    EventSourceError e = assertError();
    assertThat(e.kind()).as("%s", e).isEqualTo(kind);
    assertThat(e.willRetry()).as("%s", e).isTrue();
    assertThat(e.isFatal()).isFalse();
    assertThat(e.readyState()).isEqualTo(ReadyState.CONNECTING);
    return e;
  }

  /** The next callback is the error that closed the source for good. */
  EventSourceError assertClosed(Kind kind) throws InterruptedException {
    EventSourceError e = assertError();
    assertThat(e.kind()).as("%s", e).isEqualTo(kind);
    assertThat(e.willRetry()).as("%s", e).isFalse();
    assertThat(e.isFatal()).isTrue();
    assertThat(e.readyState()).isEqualTo(ReadyState.CLOSED);
    return e;
  }

  EventSourceError assertError() throws InterruptedException {
    Callback c = take();
    assertThat(c).isInstanceOf(Error.class);
    return ((Error) c).error();
  }

  /** No callback arrives in the next {@link #QUIET}. */
  void assertExhausted() throws InterruptedException {
    Callback c = callbacks.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS);
    if (c != null) fail("unexpected callback: " + c);
  }
}
