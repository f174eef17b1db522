package dev.herald.client.internal;

import dev.herald.client.EventSource.CommentHandler;
import dev.herald.client.EventSource.ErrorHandler;
import dev.herald.client.EventSource.MessageHandler;
import dev.herald.client.EventSource.OpenHandler;
import dev.herald.client.RetryPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Everything a builder collected, validated and copied. Nullable: {@code body}, {@code httpClient},
 * {@code callbackExecutor} and the handlers. {@code bufferedEvents} is 0 for the push style.
 */
public record SourceConfig(
    URI url,
    String method,
    byte[] body,
    Map<String, String> headers,
    HttpClient httpClient,
    RetryPolicy retryPolicy,
    Duration readTimeout,
    Executor callbackExecutor,
    String lastEventId,
    int maxEventBytes,
    int maxLineBytes,
    OpenHandler onOpen,
    ErrorHandler onError,
    CommentHandler onComment,
    Map<String, List<MessageHandler>> listeners,
    int bufferedEvents) {}
