package dev.herald.server.internal;

/**
 * Where a stream is in its life. Each state says what the stream does with a live event, a
 * heartbeat, an end and a gap in the log; {@link #canMoveTo} lists the transitions, and {@link
 * SseStream} makes no other.
 *
 * <pre>
 * OPENING ──► AWAITING_HISTORY ──► REPLAYING ──► LIVE
 *    │               │                 │           │
 *    └───────────────┴─────────────────┴───────────┴──► ENDED or CUT ──► CLOSED
 * </pre>
 *
 * (Any state but CLOSED may also go straight to CLOSED: the peer left.)
 */
enum StreamState {
  /** Created, not registered, nothing written. */
  OPENING,
  /** Registered and holding live events while the log reads the history; the response has not started. */
  AWAITING_HISTORY,
  /** The head is written; writing the history as the transport takes it, still holding live events. */
  REPLAYING,
  /** Live events are written as they come; heartbeats keep it warm. */
  LIVE,
  /** Its end is written (or, before the head, its close requested): nothing may follow. */
  ENDED,
  /** Cut as a slow consumer: the transport's close is on its way, nothing may follow. */
  CUT,
  /** The transport closed: released, unregistered. Final. */
  CLOSED;

  boolean canMoveTo(StreamState next) {
    if (next == CLOSED) return this != CLOSED;
    switch (this) {
      case OPENING:
        return next == AWAITING_HISTORY || next == LIVE || next == ENDED;
      case AWAITING_HISTORY:
        return next == REPLAYING || next == ENDED || next == CUT;
      case REPLAYING:
        return next == LIVE || next == ENDED || next == CUT;
      case LIVE:
        return next == ENDED || next == CUT;
      default:
        return false;
    }
  }

  /** Whether the response head is written, so frames may follow. */
  boolean started() {
    return this == REPLAYING || this == LIVE;
  }

  /** Whether live events are held back (written after the history). */
  boolean holdsLiveEvents() {
    return this == AWAITING_HISTORY || this == REPLAYING;
  }

  /** Whether nothing more may be written: ended, cut or closed. */
  boolean finished() {
    return this == ENDED || this == CUT || this == CLOSED;
  }
}
