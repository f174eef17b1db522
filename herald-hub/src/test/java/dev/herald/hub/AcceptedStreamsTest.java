package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.StreamRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a component records of an accepted stream, found again from the header-less request the broker's callbacks give. */
class AcceptedStreamsTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final AcceptedStreams<String> accepted = new AcceptedStreams<>(now::get);

  private static StreamRequest request(int port) {
    return new StreamRequest("/.well-known/mercure", Map.of("topic", List.of("a")),
        Map.of("authorization", List.of("Bearer t")), Optional.empty(), "/127.0.0.1:" + port);
  }

  @Test
  void aRecordIsFoundByTheRequestWithoutItsHeadersOnce() {
    accepted.put(request(1), "token");
    assertThat(accepted.remove(request(1).withoutHeaders())).isEqualTo("token");
    assertThat(accepted.remove(request(1).withoutHeaders())).isNull();
  }

  @Test
  void recordsOfStreamsThatNeverConnectedAreDroppedOnceTooOld() {
    accepted.put(request(1), "refused after the check");
    now.addAndGet(AcceptedStreams.MAX_AGE.toNanos() + 1);
    accepted.put(request(2), "fresh");
    assertThat(accepted.size()).isEqualTo(1);
    assertThat(accepted.remove(request(2).withoutHeaders())).isEqualTo("fresh");
  }
}
