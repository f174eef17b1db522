package dev.herald.redis;

import static org.awaitility.Awaitility.await;

import dev.herald.server.HeraldServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Hub nodes on one machine: each a HeraldServer on a loopback port with its own RedisEventLog. */
final class Nodes implements AutoCloseable {
  private final List<HeraldServer> servers = new ArrayList<>();

  /** Starts a node and waits until its log is ready. */
  HeraldServer start(String redisUri, RedisEventLog.Settings settings) {
    HeraldServer server = startUnready(redisUri, settings);
    await("node ready").atMost(Duration.ofSeconds(30)).until(log(server)::ready);
    return server;
  }

  /** Starts a node without waiting for Redis. */
  HeraldServer startUnready(String redisUri, RedisEventLog.Settings settings) {
    RedisEventLog log = RedisEventLog.connect(redisUri, settings);
    HeraldServer server = HeraldServer.builder().bindAddress("127.0.0.1").port(0).eventLog(log).build().start();
    servers.add(server);
    return server;
  }

  static RedisEventLog log(HeraldServer node) {
    return (RedisEventLog) node.eventLog();
  }

  /** The URL of a node's event stream for {@code topic}. */
  static String streamUrl(int port, String topic) {
    return "http://127.0.0.1:" + port + "/events?topic=" + topic;
  }

  static void awaitSubscribers(HeraldServer node, String topic, int count) {
    await("subscribers on port " + node.port()).atMost(Duration.ofSeconds(30))
        .until(() -> node.broker().subscriberCount(topic) == count);
  }

  @Override
  public void close() {
    servers.forEach(HeraldServer::close);
  }
}
