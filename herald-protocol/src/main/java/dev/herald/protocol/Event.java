package dev.herald.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One server-sent event as a server writes it: an optional id, an optional type, data, an optional
 * reconnection hint and comment lines.
 *
 * <p>Instances are immutable and always encodable: the builder rejects any value that could break
 * or inject a frame (CR, LF or NUL in the id or the type, a negative retry). Data and comments may
 * hold any text; line breaks in them (LF, CR or CRLF) become separate {@code data:} or comment
 * lines, which a parser joins back with LF.
 *
 * <p>Frames without data are legal too: an id-only frame moves the client's last event id without
 * firing an event, a retry-only frame changes its reconnection delay, a comment-only frame keeps a
 * connection warm.
 */
public final class Event {
  private final String id;
  private final String type;
  private final String data;
  private final Duration retry;
  private final List<String> comments;

  private Event(Builder b) {
    this.id = b.id;
    this.type = b.type;
    this.data = b.data;
    this.retry = b.retry;
    this.comments = List.copyOf(b.comments);
  }

  /** An unnamed event (type {@code message}) carrying {@code data}. */
  public static Event of(String data) {
    return builder().data(data).build();
  }

  /** A named event: browsers deliver it to {@code addEventListener(type, ...)}. */
  public static Event named(String type, String data) {
    return builder().type(type).data(data).build();
  }

  /** A frame that only carries a reconnection delay. */
  public static Event retry(Duration retry) {
    return builder().retry(retry).build();
  }

  /** A frame that only carries a comment, which parsers report but never dispatch. */
  public static Event comment(String comment) {
    return builder().comment(comment).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this event's fields, to derive a changed copy (for example with an id). */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.type = type;
    b.data = data;
    b.retry = retry;
    b.comments.addAll(comments);
    return b;
  }

  /** The id, or {@code null} when the frame has no {@code id:} line. An empty id resets the client's. */
  public String id() {
    return id;
  }

  /** The event type, or {@code null} for the default type {@code message}. Never empty. */
  public String type() {
    return type;
  }

  /** The data, or {@code null} when the frame has no {@code data:} line and so fires no event. */
  public String data() {
    return data;
  }

  /** The reconnection delay hint, or {@code null}. */
  public Duration retry() {
    return retry;
  }

  /** Comment lines, possibly empty; never null. */
  public List<String> comments() {
    return comments;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Event)) return false;
    Event e = (Event) o;
    return Objects.equals(id, e.id)
        && Objects.equals(type, e.type)
        && Objects.equals(data, e.data)
        && Objects.equals(retry, e.retry)
        && comments.equals(e.comments);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, type, data, retry, comments);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Event{");
    if (id != null) s.append("id=").append(id).append(", ");
    if (type != null) s.append("type=").append(type).append(", ");
    if (retry != null) s.append("retry=").append(retry.toMillis()).append("ms, ");
    if (!comments.isEmpty()) s.append("comments=").append(comments).append(", ");
    if (data != null) {
      String shown = data.length() > 64 ? data.substring(0, 64) + "..." : data;
      s.append("data=").append(shown);
    }
    return s.append('}').toString();
  }

  /** Builds an {@link Event}; each setter validates its value and names the field it rejects. */
  public static final class Builder {
    private static final Duration MAX_RETRY = Duration.ofMillis(Long.MAX_VALUE);

    private String id;
    private String type;
    private String data;
    private Duration retry;
    private final List<String> comments = new ArrayList<>();

    private Builder() {}

    /** Sets the id; {@code null} removes it, {@code ""} resets the client's last event id. */
    public Builder id(String id) {
      if (id != null) {
        rejectLineBreaks("id", id);
        if (id.indexOf('\0') >= 0) {
          // Clients silently ignore an id holding NUL, so it could never be resumed from.
          throw new IllegalArgumentException("id must not contain NUL: " + quote(id));
        }
      }
      this.id = id;
      return this;
    }

    /** Sets the event type; {@code null} or {@code ""} mean the default type {@code message}. */
    public Builder type(String type) {
      if (type != null) {
        rejectLineBreaks("type", type);
        if (type.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("type must not contain NUL: " + quote(type));
        }
      }
      this.type = type == null || type.isEmpty() ? null : type;
      return this;
    }

    /** Sets the data; any text, line breaks included. {@code null} removes it. */
    public Builder data(String data) {
      this.data = data;
      return this;
    }

    /** Sets the reconnection hint, sent in whole milliseconds; {@code null} removes it. */
    public Builder retry(Duration retry) {
      if (retry != null && retry.isNegative()) {
        throw new IllegalArgumentException("retry must not be negative: " + retry);
      }
      if (retry != null && retry.compareTo(MAX_RETRY) > 0) {
        // Beyond this, Duration.toMillis() overflows and the event could not be encoded.
        throw new IllegalArgumentException("retry must fit in a long of milliseconds: " + retry);
      }
      this.retry = retry;
      return this;
    }

    /** Adds a comment; any text, line breaks included (each line becomes its own comment line). */
    public Builder comment(String comment) {
      comments.add(Objects.requireNonNull(comment, "comment"));
      return this;
    }

    public Event build() {
      if (id == null && type == null && data == null && retry == null && comments.isEmpty()) {
        throw new IllegalStateException("an event needs data, an id, a retry or a comment");
      }
      return new Event(this);
    }

    private static void rejectLineBreaks(String field, String value) {
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        throw new IllegalArgumentException(
            field + " must not contain CR or LF (it would end the line): " + quote(value));
      }
    }

    private static String quote(String value) {
      StringBuilder s = new StringBuilder("\"");
      for (int i = 0; i < value.length() && i < 80; i++) {
        char c = value.charAt(i);
        switch (c) {
          case '\n': s.append("\\n"); break;
          case '\r': s.append("\\r"); break;
          case '\0': s.append("\\0"); break;
          default: s.append(c);
        }
      }
      return s.append(value.length() > 80 ? "...\"" : "\"").toString();
    }
  }
}
