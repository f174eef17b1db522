package dev.herald.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.sqlite.SqliteEventLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code herald serve}'s configuration: every option documented with its environment variable,
 * values from the environment, from a {@code --config} properties file and from the command line
 * (which wins), bad values refused in one line without a stack trace, and dev mode's defaults.
 */
@Timeout(60)
class ServeCommandTest {
  private static final String SECRET = "a-publisher-secret-of-at-least-32-bytes!";

  @TempDir Path tmp;

  /** Parses {@code args} as the real main does, with {@code env} as the environment; runs nothing. */
  private static ServeCommand parse(Map<String, String> env, String... args) {
    CommandLine cl = HeraldMain.commandLine(args, env);
    CommandLine.ParseResult result = cl.parseArgs(args);
    assertThat(result.subcommand()).as("serve parsed").isNotNull();
    return (ServeCommand) result.subcommand().commandSpec().userObject();
  }

  private static ServeCommand parse(String... args) {
    return parse(Map.of(), args);
  }

  @Test
  void helpListsEveryOptionWithItsEnvironmentVariableRule() {
    String[] args = {"serve", "--help"};
    CommandLine cl = HeraldMain.commandLine(args, Map.of());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    assertThat(cl.execute(args)).isZero();
    String help = out.toString();
    assertThat(err.toString()).isEmpty();

    List<OptionSpec> options = cl.getSubcommands().get("serve").getCommandSpec().options();
    List<String> names = new ArrayList<>();
    for (OptionSpec option : options) {
      names.add(option.longestName());
      assertThat(help).as("help names %s", option.longestName()).contains(option.longestName());
    }
    assertThat(names).contains("--config", "--port", "--bind", "--tls-cert", "--tls-key", "--dev-tls",
        "--cors-origins", "--jwt-algorithm", "--publisher-key", "--subscriber-key", "--anonymous", "--query-token",
        "--store", "--data-dir", "--history-max-events", "--history-max-age", "--heartbeat", "--max-data-bytes",
        "--demo", "--subscriptions", "--redis", "--redis-replicas", "--max-outbound-bytes", "--max-fanout-bytes", "--max-stream-lifetime",
        "--max-connections", "--max-streams", "--max-connections-per-address", "--request-timeout", "--chat-upstream");
    // The rule, once for all options: HERALD_ + the long name upper-cased with '-' as '_', or a file key.
    String flat = help.replaceAll("\\s+", " ");
    assertThat(flat)
        .contains("Every option can also be set by environment variable (--history-max-age is HERALD_HISTORY_MAX_AGE)")
        .contains("properties file given with --config (key history-max-age)")
        .contains("the command line wins, then the environment, then the file");
    for (String name : names) {
      assertThat(ConfigDefaults.envName(name)).isEqualTo("HERALD_" + name.substring(2).replace('-', '_').toUpperCase());
    }
    // Defaults are shown.
    assertThat(flat).contains("Default: 8080").contains("Default: sqlite").contains("Default: HS256");
  }

  @Test
  void everyServeOptionIsReadFromItsEnvironmentVariable() {
    // Each option of serve, given by environment only, reaches the command: the rule holds for all.
    Map<String, String> env = Map.ofEntries(
        Map.entry("HERALD_PORT", "9123"),
        Map.entry("HERALD_BIND", "127.0.0.1"),
        Map.entry("HERALD_TLS_CERT", "/c.pem"),
        Map.entry("HERALD_TLS_KEY", "/k.pem"),
        Map.entry("HERALD_DEV_TLS", "true"),
        Map.entry("HERALD_CORS_ORIGINS", "https://a.example,https://b.example"),
        Map.entry("HERALD_JWT_ALGORITHM", "RS256"),
        Map.entry("HERALD_PUBLISHER_KEY", "/pub.pem"),
        Map.entry("HERALD_SUBSCRIBER_KEY", "/sub.pem"),
        Map.entry("HERALD_ANONYMOUS", "true"),
        Map.entry("HERALD_QUERY_TOKEN", "true"),
        Map.entry("HERALD_STORE", "memory"),
        Map.entry("HERALD_DATA_DIR", "/var/herald"),
        Map.entry("HERALD_HISTORY_MAX_EVENTS", "77"),
        Map.entry("HERALD_HISTORY_MAX_AGE", "PT2H"),
        Map.entry("HERALD_HEARTBEAT", "PT5S"),
        Map.entry("HERALD_MAX_DATA_BYTES", "4096"),
        Map.entry("HERALD_DEMO", "false"),
        Map.entry("HERALD_SUBSCRIPTIONS", "true"),
        Map.entry("HERALD_MAX_OUTBOUND_BYTES", "65536"),
        Map.entry("HERALD_MAX_STREAM_LIFETIME", "PT30M"),
        Map.entry("HERALD_MAX_FANOUT_BYTES", "1000000000"),
        Map.entry("HERALD_REDIS", "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#main"),
        Map.entry("HERALD_REDIS_REPLICAS", "1"),
        Map.entry("HERALD_MAX_CONNECTIONS", "5000"),
        Map.entry("HERALD_MAX_STREAMS", "4000"),
        Map.entry("HERALD_MAX_CONNECTIONS_PER_ADDRESS", "64"),
        Map.entry("HERALD_MAX_NEW_CONNECTIONS_PER_ADDRESS", "512"),
        Map.entry("HERALD_CONNECTION_GRACE", "PT5S"),
        Map.entry("HERALD_REQUEST_TIMEOUT", "PT10S"),
        Map.entry("HERALD_REPLAY_PAGE_BYTES", "65536"),
        Map.entry("HERALD_MAX_REPLAY_BYTES", "8388608"),
        Map.entry("HERALD_CHAT_UPSTREAM", "http://127.0.0.1:1/v1/chat/completions"),
        Map.entry("HERALD_PUBLIC_URL", "https://hub.example.com/.well-known/mercure"));
    ServeCommand c = parse(env, "serve");
    assertThat(c.port).isEqualTo(9123);
    assertThat(c.bind).isEqualTo("127.0.0.1");
    assertThat(c.tlsCert).isEqualTo(Path.of("/c.pem"));
    assertThat(c.tlsKey).isEqualTo(Path.of("/k.pem"));
    assertThat(c.devTls).isTrue();
    assertThat(c.corsOrigins).containsExactly("https://a.example", "https://b.example");
    assertThat(c.jwtAlgorithm).isEqualTo("RS256");
    assertThat(c.publisherKey).isEqualTo("/pub.pem");
    assertThat(c.subscriberKey).isEqualTo("/sub.pem");
    assertThat(c.anonymous).isTrue();
    assertThat(c.queryToken).isTrue();
    assertThat(c.store).isEqualTo("memory");
    assertThat(c.dataDir).isEqualTo(Path.of("/var/herald"));
    assertThat(c.historyMaxEvents).isEqualTo(77);
    assertThat(c.historyMaxAge).isEqualTo(Duration.ofHours(2));
    assertThat(c.heartbeat).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.maxDataBytes).isEqualTo(4096);
    assertThat(c.demo).isFalse();
    assertThat(c.subscriptions).isTrue();
    assertThat(c.maxOutboundBytes).isEqualTo(65536);
    assertThat(c.maxStreamLifetime).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.maxFanoutBytes).isEqualTo(1_000_000_000L);
    assertThat(c.redis).isEqualTo("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#main");
    assertThat(c.redisReplicas).isEqualTo(1);
    assertThat(c.settings().redisReplicas()).isEqualTo(1);
    assertThat(c.settings().connections()).isEqualTo(new ConnectionLimits(5000, 4000, 64, 512, Duration.ofSeconds(5), Duration.ofSeconds(10)));
    assertThat(c.settings().replayPageBytes()).isEqualTo(65536);
    assertThat(c.settings().maxReplayBytes()).isEqualTo(8388608);
    assertThat(c.chatUpstream).isEqualTo("http://127.0.0.1:1/v1/chat/completions");
    assertThat(c.settings().publicUrl()).hasToString("https://hub.example.com/.well-known/mercure");
  }

  @Test
  void fsyncChoosesTheSqliteStoresDurabilityEverySecondByDefault() {
    assertThat(parse("serve").settings().durability()).isEqualTo(SqliteEventLog.Durability.FSYNC_EVERY_SECOND);
    assertThat(parse("serve", "--fsync", "everysec").settings().durability())
        .isEqualTo(SqliteEventLog.Durability.FSYNC_EVERY_SECOND);
    assertThat(parse(Map.of("HERALD_FSYNC", "always"), "serve").settings().durability())
        .isEqualTo(SqliteEventLog.Durability.FSYNC_ALWAYS);
  }

  @Test
  void builtInDefaultsWithNothingGiven() {
    ServeCommand c = parse("serve");
    assertThat(c.port).isEqualTo(8080);
    assertThat(c.store).isEqualTo("sqlite");
    assertThat(c.jwtAlgorithm).isEqualTo("HS256");
    assertThat(c.dataDir).isEqualTo(Path.of("data"));
    assertThat(c.historyMaxAge).isEqualTo(Duration.ofHours(24));
    // Dev mode, with nothing given: loopback and the demos (DevModeTest has the rest).
    assertThat(c.settings().bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.settings().demo()).isTrue();
    assertThat(c.settings().connections()).isEqualTo(ConnectionLimits.DEFAULT);
    assertThat(c.queryToken).isFalse();
  }

  @Test
  void commandLineWinsOverEnvironmentWhichWinsOverConfigFile() throws IOException {
    Path config = tmp.resolve("herald.properties");
    Files.writeString(config, String.join("\n",
        "# herald serve defaults",
        "port=9200",
        "store=memory",
        "history-max-age=PT3H",
        "bind=127.0.0.1",
        ""));

    // The file alone.
    ServeCommand fromFile = parse("serve", "--config", config.toString());
    assertThat(fromFile.port).isEqualTo(9200);
    assertThat(fromFile.store).isEqualTo("memory");
    assertThat(fromFile.historyMaxAge).isEqualTo(Duration.ofHours(3));
    assertThat(fromFile.bind).isEqualTo("127.0.0.1");

    // --config=FILE form, and the file named by HERALD_CONFIG.
    assertThat(parse("serve", "--config=" + config).port).isEqualTo(9200);
    assertThat(parse(Map.of("HERALD_CONFIG", config.toString()), "serve").port).isEqualTo(9200);

    // The environment beats the file; options the environment leaves alone still come from the file.
    ServeCommand envAndFile = parse(Map.of("HERALD_PORT", "9300"), "serve", "--config", config.toString());
    assertThat(envAndFile.port).isEqualTo(9300);
    assertThat(envAndFile.store).isEqualTo("memory");

    // The command line beats both.
    ServeCommand all = parse(Map.of("HERALD_PORT", "9300", "HERALD_STORE", "sqlite"),
        "serve", "--config", config.toString(), "--port", "9400", "--store", "sqlite", "--history-max-age", "PT1M");
    assertThat(all.port).isEqualTo(9400);
    assertThat(all.store).isEqualTo("sqlite");
    assertThat(all.historyMaxAge).isEqualTo(Duration.ofMinutes(1));
    assertThat(all.bind).isEqualTo("127.0.0.1"); // untouched: from the file

    // The settings the hub is started with carry those values.
    HubSettings s = all.settings();
    assertThat(s.port()).isEqualTo(9400);
    assertThat(s.store()).isEqualTo("sqlite");
    assertThat(s.bindAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void devModeWithoutKeysServesAnonymousSubscribersAndPrintsTokens() throws Exception {
    HubSettings dev = parse("serve").settings();
    assertThat(dev.devMode()).isTrue();
    assertThat(dev.anonymousSubscribers()).isTrue();
    assertThat(parse("serve", "--anonymous=false").settings().anonymousSubscribers()).isFalse();

    HubSettings withPublisherKey = parse("serve", "--publisher-key", SECRET).settings();
    assertThat(withPublisherKey.devMode()).isFalse();
    assertThat(withPublisherKey.anonymousSubscribers()).isFalse();
    HubSettings withSubscriberKey = parse("serve", "--subscriber-key", SECRET).settings();
    assertThat(withSubscriberKey.devMode()).isFalse();
    assertThat(withSubscriberKey.anonymousSubscribers()).isFalse();
    assertThat(parse("serve", "--publisher-key", SECRET, "--anonymous").settings().anonymousSubscribers()).isTrue();
    assertThat(parse(Map.of("HERALD_PUBLISHER_KEY", SECRET), "serve").settings().devMode()).isFalse();

    // Dev mode prints a publisher and a subscriber token; with keys nothing is printed.
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    Hub.authorizer(dev, new PrintStream(printed, true, StandardCharsets.UTF_8));
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("DEV MODE").contains("Publisher token").contains("Subscriber token");
    assertThat(text.lines().map(String::trim).filter(l -> l.matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+")).count())
        .as("two JWTs printed").isEqualTo(2);

    ByteArrayOutputStream quiet = new ByteArrayOutputStream();
    Hub.authorizer(withPublisherKey, new PrintStream(quiet, true, StandardCharsets.UTF_8));
    assertThat(quiet.size()).isZero();
  }

  /** What a child {@code herald} JVM printed and how it exited. */
  record Outcome(int exitCode, String stdout, String stderr) {}

  private Outcome runHerald(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HeraldMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(tmp.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("HERALD_"));
    Process p = dev.herald.redis.ChildProcesses.track(pb.start());
    try {
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("herald %s exits", List.of(args)).isTrue();
      return new Outcome(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } finally {
      p.destroyForcibly();
    }
  }

  private static String readAll(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<" + e + ">";
    }
  }

  private void assertRefusedInOneLine(Outcome o, String message) {
    assertThat(o.exitCode()).as("exit code; stderr: %s", o.stderr()).isNotZero();
    String all = o.stdout() + o.stderr();
    assertThat(all).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
    List<String> errLines = o.stderr().lines().filter(l -> !l.isBlank()).toList();
    assertThat(errLines).as("stderr: %s", o.stderr()).isNotEmpty();
    assertThat(errLines.get(0)).contains(message);
    assertThat(errLines).as("one line of error, no usage dump: %s", o.stderr()).hasSize(1);
    assertThat(all).as("nothing started").doesNotContain("Herald hub ready");
  }

  @Test
  void helpAsTheLauncherRunsItWritesTheHelpAndNothingToStandardError() throws Exception {
    // In a child JVM, as ./herald runs it: picocli's own warnings (an unescaped '%' in a description
    // is read as a format specifier) go to System.err, which the in-process test above cannot see.
    Outcome help = runHerald("serve", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout().replaceAll("\\s+", " ")).contains("--max-stream-lifetime").contains("between 90% and 100% of it");
    assertThat(help.stderr()).as("stderr of herald serve --help").isEmpty();
  }

  @Test
  void badValuesAreRefusedInOneClearLineWithoutAStackTrace() throws Exception {
    CompletableFuture<Outcome> alg = CompletableFuture.supplyAsync(() -> run("serve", "--jwt-algorithm", "XX"));
    CompletableFuture<Outcome> store = CompletableFuture.supplyAsync(() -> run("serve", "--store", "nope"));
    CompletableFuture<Outcome> tls = CompletableFuture.supplyAsync(() -> run("serve", "--tls-cert", "cert.pem"));
    CompletableFuture<Outcome> config = CompletableFuture.supplyAsync(
        () -> run("serve", "--config", tmp.resolve("missing.properties").toString()));
    CompletableFuture<Outcome> port = CompletableFuture.supplyAsync(() -> run("serve", "--port", "eighty"));
    CompletableFuture<Outcome> redis = CompletableFuture.supplyAsync(() -> run("serve", "--redis", "http://127.0.0.1:6379"));
    CompletableFuture<Outcome> replicas = CompletableFuture.supplyAsync(() -> run("serve", "--redis-replicas", "1"));
    CompletableFuture<Outcome> outbound = CompletableFuture.supplyAsync(() -> run("serve", "--max-outbound-bytes", "0"));
    CompletableFuture<Outcome> fsync = CompletableFuture.supplyAsync(() -> run("serve", "--fsync", "sometimes"));
    CompletableFuture<Outcome> fsyncMemory = CompletableFuture.supplyAsync(
        () -> run("serve", "--store", "memory", "--fsync", "always"));
    CompletableFuture<Outcome> publicUrl = CompletableFuture.supplyAsync(() -> run("serve", "--public-url", "/relative"));
    CompletableFuture<Outcome> master = CompletableFuture.supplyAsync(
        () -> run("serve", "--redis", "redis-sentinel://127.0.0.1:26379"));

    assertRefusedInOneLine(alg.get(60, TimeUnit.SECONDS), "--jwt-algorithm must be HS256, RS256, ES256 or EdDSA, not XX");
    assertRefusedInOneLine(store.get(60, TimeUnit.SECONDS), "--store must be sqlite or memory, not nope");
    assertRefusedInOneLine(tls.get(60, TimeUnit.SECONDS), "--tls-cert and --tls-key go together");
    assertRefusedInOneLine(config.get(60, TimeUnit.SECONDS), "cannot read config file");
    assertRefusedInOneLine(port.get(60, TimeUnit.SECONDS), "eighty");
    assertRefusedInOneLine(redis.get(60, TimeUnit.SECONDS), "--redis is not a Redis URI");
    assertRefusedInOneLine(replicas.get(60, TimeUnit.SECONDS), "--redis-replicas needs --redis");
    assertRefusedInOneLine(outbound.get(60, TimeUnit.SECONDS), "--max-outbound-bytes must be positive: 0");
    assertRefusedInOneLine(master.get(60, TimeUnit.SECONDS), "URI must contain the sentinelMasterId");
    assertRefusedInOneLine(fsync.get(60, TimeUnit.SECONDS), "--fsync must be always or everysec, not sometimes");
    assertRefusedInOneLine(fsyncMemory.get(60, TimeUnit.SECONDS), "--fsync applies to the sqlite store only");
    assertRefusedInOneLine(publicUrl.get(60, TimeUnit.SECONDS), "--public-url must be an absolute http(s) URL");
  }

  @Test
  void badValuesGoToTheCommandLinesErrorStreamAsOneLine() {
    for (String[] args : List.of(new String[] {"serve", "--store", "nope"}, new String[] {"serve", "--port", "x"},
        new String[] {"serve", "--tls-key", "k.pem"})) {
      CommandLine cl = HeraldMain.commandLine(args, Map.of());
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      assertThat(cl.execute(args)).as("exit code of %s", List.of(args)).isEqualTo(2);
      assertThat(out.toString()).isEmpty();
      assertThat(err.toString().lines().toList()).as("stderr of %s", List.of(args)).singleElement()
          .satisfies(line -> assertThat(line).startsWith("herald: ").endsWith("(see herald serve --help)"));
    }
  }

  private Outcome run(String... args) {
    try {
      return runHerald(args);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
