package dev.herald.server;

/**
 * A publish was refused because the broker's fan-out queues already hold more bytes than their
 * limit: the publishers are faster than the subscribers can be written to. Retry later; a hub
 * answers 503 with {@code Retry-After}.
 */
public final class OverloadedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(long queuedBytes, long limitBytes) {
    super("fan-out queues hold " + queuedBytes + " bytes, over the limit of " + limitBytes + ": publish later");
  }
}
