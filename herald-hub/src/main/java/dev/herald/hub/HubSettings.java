package dev.herald.hub;

import dev.herald.sqlite.SqliteEventLog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code herald serve} is configured with, validated by the command line. Immutable.
 *
 * @param bindAddress address to listen on
 * @param port port to listen on (0: any free one)
 * @param tlsCert PEM certificate chain, or null
 * @param tlsKey PKCS#8 PEM key, or null
 * @param devTls make a self-signed certificate for localhost (browsers then use HTTP/2)
 * @param corsOrigins origins allowed to subscribe and publish from browsers; {@code *} for any
 * @param jwtAlgorithm HS256, RS256 or ES256: fixed by configuration, never taken from a token
 * @param publisherKey HS256 secret or path of a PEM public key, or null
 * @param subscriberKey same for subscribers; null means the publisher key
 * @param anonymousSubscribers whether subscribers without a token are served (public updates only)
 * @param queryToken whether the {@code authorization} query parameter is read (off: tokens in URLs leak)
 * @param store {@code sqlite} (durable, in {@code dataDir}) or {@code memory}
 * @param dataDir where the durable store lives
 * @param historyMaxEvents events kept for replay
 * @param historyMaxAge how long events are kept for replay
 * @param heartbeat interval of heartbeat comments
 * @param maxStreamLifetime how long a subscriber's stream lasts at most (90-100% of it), or null
 * @param maxDataBytes largest {@code data} of one update; the request body limit follows it
 * @param maxOutboundBytes frames a subscriber may have waiting before it is closed as a slow consumer
 * @param maxFanoutBytes events waiting for subscribers, all together, beyond which publishes get 503
 * @param replayPageBytes bytes of one page of a resuming subscriber's history
 * @param maxReplayBytes bytes all resuming subscribers' pages may hold at once
 * @param demo whether the demo pages and their publishers run
 * @param subscriptionsApi whether subscriptions are published as updates and listed (Mercure's active subscriptions)
 * @param redis a Redis URI ({@code redis://}, {@code rediss://}, with password or Sentinel) making this hub a
 *     cluster node sharing one history with the others, or null
 * @param redisReplicas with {@code redis}: replicas that must have received a publish before it is
 *     acknowledged ({@code WAIT}); 0 to not wait
 * @param tokens what tokens must be beyond their signature, and the JWK Set of keys if any
 * @param publicUrl the hub's URL as clients reach it, or null to follow each request's Host ({@link HubUrl})
 * @param durability with the SQLite store, what an acknowledged publish survives ({@code --fsync})
 * @param connections the caps on connections and streams, and how long a request may take
 */
record HubSettings(
    String bindAddress,
    int port,
    Path tlsCert,
    Path tlsKey,
    boolean devTls,
    List<String> corsOrigins,
    String jwtAlgorithm,
    String publisherKey,
    String subscriberKey,
    boolean anonymousSubscribers,
    boolean queryToken,
    String store,
    Path dataDir,
    int historyMaxEvents,
    Duration historyMaxAge,
    Duration heartbeat,
    Duration maxStreamLifetime,
    int maxDataBytes,
    int maxOutboundBytes,
    long maxFanoutBytes,
    long replayPageBytes,
    long maxReplayBytes,
    boolean demo,
    boolean subscriptionsApi,
    String redis,
    int redisReplicas,
    TokenPolicy tokens,
    URI publicUrl,
    SqliteEventLog.Durability durability,
    ConnectionLimits connections) {

  HubSettings {
    corsOrigins = List.copyOf(corsOrigins);
  }

  /** Dev mode: no key configured, so the hub makes one and prints ready tokens. */
  boolean devMode() {
    return publisherKey == null && subscriberKey == null && tokens.jwks() == null;
  }
}
