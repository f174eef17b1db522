package dev.herald.spring.internal;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/**
 * Sizes the buffers each Tomcat connection keeps for its whole life (herald.tomcat.*): an idle
 * stream holds its connection's, so with thousands of streams they are most of the server's memory.
 * A setting left unset keeps Tomcat's.
 */
public final class TomcatConnectionBuffers implements TomcatConnectorCustomizer {
  private final Integer socketBufferBytes;
  private final Integer maxTrailerBytes;

  public TomcatConnectionBuffers(Integer socketBufferBytes, Integer maxTrailerBytes) {
    this.socketBufferBytes = socketBufferBytes;
    this.maxTrailerBytes = maxTrailerBytes;
  }

  @Override
  public void customize(Connector connector) {
    ProtocolHandler protocol = connector.getProtocolHandler();
    if (socketBufferBytes != null) {
      // Read: the socket's buffer, and the request head's (its header limit plus this).
      set(protocol, "socket.appReadBufSize", socketBufferBytes);
      set(protocol, "socket.appWriteBufSize", socketBufferBytes);
    }
    if (maxTrailerBytes != null && protocol instanceof AbstractHttp11Protocol<?> http) {
      // Tomcat 11 allocates the trailer buffer with every connection's processor, used or not.
      http.setMaxTrailerSize(maxTrailerBytes);
    }
  }

  private static void set(ProtocolHandler protocol, String name, int value) {
    if (protocol instanceof org.apache.coyote.AbstractProtocol<?> p && !p.setProperty(name, Integer.toString(value))) {
      throw new IllegalStateException("Tomcat's " + protocol.getClass().getSimpleName() + " has no " + name);
    }
  }
}
