package dev.herald.client;

import java.util.Objects;

/**
 * One event received from the server, as the browser's {@code MessageEvent} carries it.
 *
 * @param type the event type: the {@code event} field, or {@code "message"} when it was absent or
 *     empty
 * @param data the {@code data} lines joined with LF (the last LF removed)
 * @param lastEventId the source's last event id when the event was dispatched: the latest
 *     {@code id} seen, possibly from an earlier event or connection, {@code ""} when none
 * @param origin the serialized origin ({@code scheme://host[:port]}) of the final URL after
 *     redirects
 */
public record MessageEvent(String type, String data, String lastEventId, String origin) {
  /** Validates that no component is null. */
  public MessageEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(lastEventId, "lastEventId");
    Objects.requireNonNull(origin, "origin");
  }
}
