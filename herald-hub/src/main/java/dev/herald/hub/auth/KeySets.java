package dev.herald.hub.auth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;

/**
 * JWK Sets of verification keys, for {@link JwtVerifier#keySet}, from where operators keep them:
 * a file, read once, or a URL, fetched at start and refreshed in the background by {@link
 * RemoteKeySet}, which never fetches on the thread that verifies a token (the event loops). A set
 * holds a bounded number of keys (50 KiB at most).
 */
public final class KeySets {
  /** How long a hub's start waits for the first fetch of a set by URL. */
  public static final Duration FIRST_FETCH = Duration.ofSeconds(10);

  private KeySets() {}

  /**
   * The set at {@code location}: a {@code file:} URI, read now, or an {@code http(s):} URL,
   * fetched now (waiting up to {@link #FIRST_FETCH}) and refreshed in the background on a daemon
   * thread; {@code resources} gets what stops that thread.
   *
   * @throws IllegalArgumentException if the file does not hold a JWK Set, or the URI is neither
   * @throws IOException if the file cannot be read
   */
  public static JWKSource<SecurityContext> at(URI location, List<AutoCloseable> resources)
      throws IOException, InterruptedException {
    String scheme = location.getScheme();
    if ("file".equals(scheme)) {
      try {
        return new ImmutableJWKSet<>(JWKSet.load(new File(location)).toPublicJWKSet());
      } catch (ParseException e) {
        throw new IllegalArgumentException(location.getPath() + " is not a JWK Set: " + e.getMessage());
      }
    }
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("a JWK Set comes from a file or an https:// URL, not " + location);
    }
    URL url;
    try {
      url = location.toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("unusable JWK Set URL " + location + ": " + e.getMessage());
    }
    RemoteKeySet set = RemoteKeySet.start(url, FIRST_FETCH);
    resources.add(set);
    return set;
  }
}
