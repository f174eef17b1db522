package dev.herald.hub.auth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * JWK Sets of verification keys, for {@link JwtVerifier#keySet}, from where operators keep them:
 * a file, read once, or a URL, fetched, cached and refreshed by Nimbus's {@link JWKSourceBuilder}
 * (its defaults: a 5-minute cache refreshed ahead of expiry in the background, a fetch of a key ID
 * the cache does not know at most twice per 30 seconds, 500 ms connect and read timeouts, 50 KiB at
 * most, the last good set kept through an outage). A set holds a bounded number of keys, so the
 * cache is bounded by the set's size limit.
 */
public final class KeySets {
  private KeySets() {}

  /**
   * The set at {@code location}: a {@code file:} URI, read now, or an {@code http(s):} URL,
   * fetched when the first token needs it and refreshed in the background on daemon threads.
   *
   * @throws IllegalArgumentException if the file does not hold a JWK Set, or the URI is neither
   * @throws IOException if the file cannot be read
   */
  public static JWKSource<SecurityContext> at(URI location) throws IOException {
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
    ExecutorService refresher = Executors.newSingleThreadExecutor(daemon("herald-jwks-refresh"));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("herald-jwks-schedule"));
    try {
      return JWKSourceBuilder.create(location.toURL())
          .refreshAheadCache(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, null, refresher, true, scheduler, true)
          .build();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException("unusable JWK Set URL " + location + ": " + e.getMessage());
    }
  }

  private static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true); // a hub that stops must not wait for a key refresh
      return t;
    };
  }
}
