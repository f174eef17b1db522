package dev.herald.bench.load;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code herald bench}: opens N subscriber connections to any SSE hub on loopback, publishes M
 * events and measures every delivery (publish-to-receive latency, loss, duplication), with the
 * hub's CPU per delivery and RSS. The engine is {@link LoadGenerator}'s single epoll thread.
 *
 * <pre>
 * herald bench --preset herald --publisher-key $KEY --subscribers 1000 --rate 100 --events 3000
 * herald bench --preset nchan --port 8090 --subscribers 1000 --rate 0 --in-flight 4 --duration 10
 * herald bench --preset herald --mode idle --subscribers 10000 --server-pid $PID
 * herald bench --subscribe-url http://127.0.0.1:8081/.well-known/mercure?topic={topic} \
 *     --subscribe-url http://127.0.0.1:8082/... --publish-url http://127.0.0.1:8081/.well-known/mercure ...
 *                                 # a cluster: subscribers over several nodes, latency per node
 * </pre>
 */
@Command(name = "herald bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Loopback load test of an SSE hub: N subscribers, M events, every delivery checked.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--preset", description = "herald or nchan: URL templates and publish format for a hub on 127.0.0.1:--port.")
  String preset;

  @Option(names = "--port", description = "The hub's port, for --preset (default 8080 for herald, 8090 for nchan).")
  Integer port;

  @Option(names = "--subscribe-url", description = "Subscribe URL template, {topic} replaced, e.g. http://127.0.0.1:8090/sub/{topic}."
      + " Repeatable: subscribers are shared out in turn (a cluster's nodes), and latency is also reported per URL.")
  List<String> subscribeUrls = new ArrayList<>();

  @Option(names = "--publish-url", description = "Publish URL template, {topic} replaced.")
  String publishUrl;

  @Option(names = "--publish-format", description = "herald-form (topic=..&data=..) or nchan-raw (the body is the message).")
  String publishFormat;

  @Option(names = "--publish-header", description = "Header sent with every publish, 'Name: value' (repeatable).")
  List<String> publishHeaders = new ArrayList<>();

  @Option(names = "--publisher-key", description = "HS256 secret: send a Mercure publisher JWT minted with it (Authorization: Bearer).")
  String publisherKey;

  @Option(names = "--subscriber-key", description = "HS256 secret: subscribe with a Mercure subscriber JWT minted with it (for a hub without --anonymous).")
  String subscriberKey;

  @Option(names = "--topic", defaultValue = "bench", description = "Topic. Default: ${DEFAULT-VALUE}.")
  String topic;

  @Option(names = "--mode", defaultValue = "run", description = "run (publish and measure) or idle (server RSS per idle connection, needs --server-pid).")
  String mode;

  @Option(names = "--subscribers", defaultValue = "1000", description = "Subscriber connections. Default: ${DEFAULT-VALUE}.")
  int subscribers;

  @Option(names = "--sources", description = "Source addresses 127.0.0.1..127.0.0.N. Default: one per 5,000 subscribers.")
  Integer sources;

  @Option(names = "--rate", defaultValue = "0", description = "Events per second; 0: as fast as the hub acknowledges. Default: ${DEFAULT-VALUE}.")
  double rate;

  @Option(names = "--events", defaultValue = "1000000", description = "At most this many events. Default: ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--duration", defaultValue = "10", description = "At most this many seconds of publishing (with --rate 0; with a rate, after --events/--rate). Default: ${DEFAULT-VALUE}.")
  double duration;

  @Option(names = "--drain", defaultValue = "30", description = "Seconds to wait for deliveries after the last publish. Default: ${DEFAULT-VALUE}.")
  double drain;

  @Option(names = "--payload", defaultValue = "64", description = "Bytes of each event's data (carries its sequence number and send time). Default: ${DEFAULT-VALUE}.")
  int payload;

  @Option(names = "--in-flight", defaultValue = "4", description = "Publisher connections, one publish in flight on each. Default: ${DEFAULT-VALUE}.")
  int inFlight;

  @Option(names = "--server-pid", defaultValue = "-1", description = "The hub's PID: its RSS and CPU time are reported.")
  long serverPid;

  @Option(names = "--server-cpu", defaultValue = "0", description = "The CPU the hub is pinned to: its busy time per delivery is reported. Default: ${DEFAULT-VALUE}.")
  int serverCpu;

  @Option(names = "--load-cpu", defaultValue = "1", description = "The CPU this tool is pinned to. Default: ${DEFAULT-VALUE}.")
  int loadCpu;

  @Option(names = "--warmup-connections", defaultValue = "1000", description = "With --mode idle: connections opened and closed before the measured ones, "
      + "so that the hub's compiled code and memory pools are in place (raise it for RSS readings taken by the tool). "
      + "A servlet container that notices a client's close only at its next write keeps these until then; 0 when the caller reads the server's memory before the tool starts. Default: ${DEFAULT-VALUE}.")
  int warmupConnections;

  @Option(names = "--settle-ms", defaultValue = "1000", description = "Quiet time after connecting; also measures the background load of the hub's CPU. Default: ${DEFAULT-VALUE}.")
  int settleMs;

  @Option(names = "--reconnect-at", defaultValue = "0", description = "Seconds after publishing starts when every subscriber reconnects at once with Last-Event-ID (publishing goes on); reports the time until all caught up. 0: never.")
  double reconnectAt;

  @Option(names = "--no-last-event-id", description = "With --reconnect-at: reconnect without Last-Event-ID (a control: events sent meanwhile are lost).")
  boolean noLastEventId;

  @Option(names = "--hold", defaultValue = "0", description = "With --mode idle: seconds to keep the connections open after the"
      + " report (for a heap histogram of the hub, or its RSS read by a script); the tool exits when killed. Default: ${DEFAULT-VALUE}.")
  int hold;

  @Option(names = "--label", defaultValue = "run", description = "Label of the report.")
  String label;

  @Option(names = "--json", description = "Print the report as one JSON object on stdout (the progress and text report go to stderr).")
  boolean json;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> subs = new ArrayList<>(subscribeUrls);
    String pub = publishUrl;
    String format = publishFormat;
    if (preset != null) {
      switch (preset) {
        case "herald" -> {
          int p = port != null ? port : 8080;
          if (subs.isEmpty()) subs.add("http://127.0.0.1:" + p + "/.well-known/mercure?topic={topic}");
          if (pub == null) pub = "http://127.0.0.1:" + p + "/.well-known/mercure";
          if (format == null) format = "herald-form";
        }
        case "nchan" -> {
          int p = port != null ? port : 8090;
          if (subs.isEmpty()) subs.add("http://127.0.0.1:" + p + "/sub/{topic}");
          if (pub == null) pub = "http://127.0.0.1:" + p + "/pub/{topic}";
          if (format == null) format = "nchan-raw";
        }
        default -> throw new CommandLine.ParameterException(new CommandLine(this), "--preset herald|nchan");
      }
    }
    if (subs.isEmpty() || pub == null) {
      throw new CommandLine.ParameterException(new CommandLine(this), "give --preset or --subscribe-url and --publish-url");
    }
    Target.Format f = switch (format == null ? "herald-form" : format) {
      case "herald-form" -> Target.Format.HERALD_FORM;
      case "nchan-raw" -> Target.Format.NCHAN_RAW;
      default -> throw new CommandLine.ParameterException(new CommandLine(this), "--publish-format herald-form|nchan-raw");
    };
    List<String> headers = new ArrayList<>(publishHeaders);
    if (publisherKey != null) headers.add("Authorization: Bearer " + publisherToken(publisherKey));
    Target target = new Target(subs, pub, f, headers, topic);
    if (subscriberKey != null) target.subscribeHeaders.add("Authorization: Bearer " + subscriberToken(subscriberKey));

    List<String> a = new ArrayList<>(List.of(
        "--mode", mode, "--topic", topic, "--subscribers", Integer.toString(subscribers),
        "--rate", Double.toString(rate), "--events", Long.toString(events), "--duration-s", Double.toString(duration),
        "--drain-s", Double.toString(drain), "--payload", Integer.toString(payload), "--in-flight", Integer.toString(inFlight),
        "--server-pid", Long.toString(serverPid), "--server-cpu", Integer.toString(serverCpu),
        "--load-cpu", Integer.toString(loadCpu), "--settle-ms", Integer.toString(settleMs), "--label", label,
        "--warmup-connections", Integer.toString(warmupConnections),
        "--reconnect-at-s", Double.toString(reconnectAt), "--last-event-id", Boolean.toString(!noLastEventId)));
    if (hold > 0) a.addAll(List.of("--hold-s", Integer.toString(hold)));
    if (sources != null) a.addAll(List.of("--sources", Integer.toString(sources)));
    if (payload < 48) throw new CommandLine.ParameterException(new CommandLine(this), "--payload: at least 48 bytes (sequence and send time)");
    return LoadGenerator.runAgainst(new Args(a.toArray(String[]::new)), target, json);
  }

  /** A Mercure 0.x publisher JWT (HS256, {"mercure":{"publish":["*"]}}) valid for a day. */
  static String publisherToken(String secret) throws Exception {
    return token(secret, "publish");
  }

  /** A Mercure subscriber JWT (HS256, {"mercure":{"subscribe":["*"]}}) valid for a day. */
  static String subscriberToken(String secret) throws Exception {
    return token(secret, "subscribe");
  }

  private static String token(String secret, String claim) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(String.format(Locale.ROOT, "{\"mercure\":{\"%s\":[\"*\"]},\"exp\":%d}",
        claim, Instant.now().getEpochSecond() + 86_400).getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signed = header + "." + claims;
    return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
  }
}
