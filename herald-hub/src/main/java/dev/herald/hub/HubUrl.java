package dev.herald.hub;

import java.net.URI;
import java.util.Optional;

/**
 * Where clients reach this hub. Mercure needs it in three places: relative topics and URL
 * patterns resolve against it, the protected-resource metadata names it as the resource, and
 * {@code 401} challenges point at that metadata ({@code resource_metadata}, RFC 9728 5.1).
 *
 * <p>With {@code --public-url} it is that URL, whatever the request says. Without it, what is
 * advertised follows each request's {@code Host} (the URL as that client reached it), and
 * relative values resolve against {@code http[s]://localhost:<port>/.well-known/mercure}, which
 * is enough for relative patterns to match the hub's own relative topics.
 */
final class HubUrl {
  private final URI configured; // null: derived from the request
  private final String scheme;
  private final String fallbackAuthority;

  private HubUrl(URI configured, String scheme, String fallbackAuthority) {
    this.configured = configured;
    this.scheme = scheme;
    this.fallbackAuthority = fallbackAuthority;
  }

  static HubUrl of(HubSettings settings) {
    String scheme = settings.tlsCert() != null || settings.devTls() ? "https" : "http";
    return new HubUrl(settings.publicUrl(), scheme, "localhost:" + settings.port());
  }

  /** The base of relative topics and URL patterns. */
  URI base() {
    return configured != null ? configured : URI.create(scheme + "://" + fallbackAuthority + Hub.PATH);
  }

  /** The hub's URL as the client of a request with this {@code Host} header reached it. */
  String forRequest(Optional<String> host) {
    if (configured != null) return configured.toString();
    return scheme + "://" + host.orElse(fallbackAuthority) + Hub.PATH;
  }

  /** The URL of the hub's protected-resource metadata (RFC 9728 3.1: well-known prefix, then the hub's path). */
  String resourceMetadata(Optional<String> host) {
    if (configured != null) {
      String path = configured.getRawPath() == null ? "" : configured.getRawPath();
      return configured.getScheme() + "://" + configured.getRawAuthority() + "/.well-known/oauth-protected-resource" + path;
    }
    return scheme + "://" + host.orElse(fallbackAuthority) + ResourceMetadata.PATH;
  }
}
