/**
 * Herald's {@code EventSource} for Java: {@link dev.herald.client.EventSource} on the JDK
 * {@code HttpClient}. Only {@code dev.herald.client} is exported.
 */
module dev.herald.client {
  requires dev.herald.protocol;
  requires transitive java.net.http; // the builder accepts an HttpClient

  exports dev.herald.client;
}
