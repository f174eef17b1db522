package dev.herald.hub;

import dev.herald.hub.auth.JwtVerifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code herald serve}'s options for what a token must be (Mercure 1.0 access tokens from an
 * identity provider), mixed into {@link ServeCommand}. Validated here, where they enter.
 */
final class TokenOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--require-exp", defaultValue = "false",
      description = "Refuse every token without exp. Default: only Mercure 1.0 access tokens (typ at+jwt or"
          + " authorization_details) must carry one; 0.x tokens without exp are accepted, as the 0.x hubs did.")
  boolean requireExp;

  @Option(names = "--jwt-audience", paramLabel = "URI",
      description = "The hub's resource identifier: every token's aud must contain it (Mercure 1.0, RFC 9068),"
          + " e.g. https://hub.example.com/.well-known/mercure. Default: aud not checked.")
  String audience;

  @Option(names = "--jwt-issuer", paramLabel = "ISSUER",
      description = "The trusted issuer: every token's iss must equal it. Default: iss not checked.")
  String issuer;

  @Option(names = "--access-tokens-only", defaultValue = "false",
      description = "Accept only RFC 9068 access tokens (header typ at+jwt), as Mercure 1.0 requires.")
  boolean accessTokensOnly;

  @Option(names = "--jwks", paramLabel = "FILE|URL",
      description = "Verify tokens (both roles) with the keys of this JWK Set, chosen by kid: a file, or an https://"
          + " URL fetched at start and refreshed in the background (never while a request waits), so keys rotate without a restart."
          + " RS256, ES256 and EdDSA keys. Replaces --publisher-key and --subscriber-key.")
  String jwks;

  @Option(names = "--jwks-allow-http", defaultValue = "false",
      description = "Allow an http:// --jwks URL on a host other than a loopback address (keys fetched without TLS"
          + " can be forged on the way).")
  boolean jwksAllowHttp;

  @Option(names = "--max-streams-per-token", defaultValue = "0", paramLabel = "N",
      description = "Streams one subscriber token may hold open at once; beyond, 429 Too Many Requests."
          + " Default: ${DEFAULT-VALUE} (no limit).")
  int maxStreamsPerToken;

  TokenPolicy policy() {
    if (maxStreamsPerToken < 0) throw refused("--max-streams-per-token must not be negative: " + maxStreamsPerToken);
    return new TokenPolicy(requireExp ? JwtVerifier.ExpiryRule.EVERY_TOKEN : JwtVerifier.ExpiryRule.ACCESS_TOKENS,
        nonBlank(audience, "--jwt-audience"), nonBlank(issuer, "--jwt-issuer"), accessTokensOnly, jwksUri(),
        maxStreamsPerToken);
  }

  private URI jwksUri() {
    if (jwks == null) return null;
    String lower = jwks.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
      Path file = Path.of(jwks);
      if (!Files.isReadable(file)) throw refused("--jwks " + jwks + ": no such readable file");
      return file.toAbsolutePath().toUri();
    }
    URI uri;
    try {
      uri = URI.create(jwks);
    } catch (IllegalArgumentException e) {
      throw refused("--jwks " + jwks + " is not a URL: " + e.getMessage());
    }
    if (uri.getHost() == null) throw refused("--jwks " + jwks + " has no host");
    if (lower.startsWith("http://") && !jwksAllowHttp && !isLoopback(uri.getHost())) {
      throw refused("--jwks must be an https:// URL (http:// only for a loopback host, or with --jwks-allow-http)");
    }
    return uri;
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
  }

  private String nonBlank(String value, String option) {
    if (value != null && value.isBlank()) throw refused(option + " must not be empty");
    return value;
  }

  private ParameterException refused(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
