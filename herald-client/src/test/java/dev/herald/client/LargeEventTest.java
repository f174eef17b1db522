package dev.herald.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.client.ScriptedServer.Script;
import dev.herald.protocol.EventStreamLimitException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Large payloads: a browser's EventSource has no size limit, so what a page receives a Java client
 * must receive too with its defaults; the limits stay, configurable, for memory's sake.
 */
class LargeEventTest extends ScriptedServerTestBase {
  private static final int MIB = 1024 * 1024;

  @Test
  void aThirteenMebibyteSingleLineEventSplitOverTwoReadsArrivesWithTheDefaultLimits() throws Exception {
    String data = payload(13 * MIB);
    CountDownLatch firstHalfSent = new CountDownLatch(1);
    CountDownLatch readSecondHalf = new CountDownLatch(1);
    server.enqueue(Script.ok().send("id: big\ndata: " + data.substring(0, data.length() / 2))
        .signal(firstHalfSent).await(readSecondHalf)
        .send(data.substring(data.length() / 2) + "\n\ndata: after\n\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    assertThat(firstHalfSent.await(Recorder.TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    readSecondHalf.countDown();
    MessageEvent e = recorder.assertEvent("message", data, "big");
    assertThat(e.data()).hasSize(13 * MIB);
    recorder.assertMessage("after");
    recorder.assertExhausted();
  }

  @Test
  void aSixteenMebibyteSingleLineEventArrivesWithTheDefaultLimits() throws Exception {
    String data = payload(16 * MIB);
    server.enqueue(Script.ok().send("data: " + data + "\n\n").stall());
    open(builder("/"));
    recorder.assertOpen();
    assertThat(recorder.assertMessage(data).data()).hasSize(16 * MIB);
    recorder.assertExhausted();
  }

  @Test
  void aLineOverTheConfiguredLimitClosesTheSourceWithTheLimitNamedOnce() throws Exception {
    server.enqueue(Script.ok().send("data: " + payload(4096) + "\n\n").stall());
    open(builder("/").maxLineBytes(1024));
    recorder.assertOpen();
    EventSourceError error = recorder.assertClosed(EventSourceError.Kind.EVENT_TOO_LARGE);
    assertThat(error.cause()).containsInstanceOf(EventStreamLimitException.class);
    assertThat(error.message()).contains("maxLineBytes exceeded").contains("the limit is 1024");
    String text = error.toString();
    assertThat(text.split("maxLineBytes exceeded", -1)).as("the limit in %s", text).hasSize(2);
    assertThat(text).contains(EventStreamLimitException.class.getName());
    recorder.assertExhausted();
  }

  @Test
  void anEventOverTheConfiguredDataLimitClosesTheSource() throws Exception {
    server.enqueue(Script.ok().send("data: 1234\ndata: 5678\ndata: 9abc\n\n").stall());
    open(builder("/").maxEventBytes(8));
    recorder.assertOpen();
    EventSourceError error = recorder.assertClosed(EventSourceError.Kind.EVENT_TOO_LARGE);
    assertThat(error.message()).contains("maxEventBytes exceeded");
    recorder.assertExhausted();
  }

  /** {@code length} ASCII characters, not all alike, so a misplaced byte would show. */
  private static String payload(int length) {
    byte[] b = new byte[length];
    Arrays.fill(b, (byte) 'x');
    for (int i = 0; i < length; i += 4096) b[i] = (byte) ('a' + (i / 4096) % 26);
    return new String(b, StandardCharsets.US_ASCII);
  }
}
