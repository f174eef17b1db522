/**
 * Herald's {@code EventSource} for Java: a client of {@code text/event-stream} on the JDK
 * {@link java.net.http.HttpClient}, exact to the WHATWG rules and with what a back end needs.
 *
 * <p>Types: {@link dev.herald.client.EventSource} (the source, its builder, readyState and
 * callback interfaces), {@link dev.herald.client.MessageEvent} (an event, an immutable value),
 * {@link dev.herald.client.EventSourceError} (why a connection ended and whether the source
 * retries), {@link dev.herald.client.RetryPolicy} (when to reconnect, an immutable value) and
 * {@link dev.herald.client.MessageStream} (the pull style).
 *
 * <p><b>Push or pull.</b> Push ({@code build()}) suits handlers by event type that are quick and
 * must never hold up the reading: callbacks run in order on the source's callback thread, and a
 * slow one makes events queue in memory. Pull ({@code buildStream(n)}) suits one back-end thread
 * processing events in a loop (relaying an LLM reply, a worker): it blocks while nothing is there
 * and, when the consumer falls behind, stops reading the socket so TCP slows the server down.
 *
 * <p><b>Threads.</b> Each source has one daemon thread for its connection loop
 * ({@code herald-eventsource-N}) and, unless given an executor, one for its callbacks
 * ({@code herald-eventsource-N-callbacks}); both end on {@code close()} or a fatal error. The
 * body is parsed on the HttpClient's threads: for the shared default client, its selector thread
 * (nothing on that path blocks). One shared daemon thread, {@code herald-eventsource-watchdog},
 * runs the read timeouts.
 */
package dev.herald.client;
