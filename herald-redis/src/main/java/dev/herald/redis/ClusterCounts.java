package dev.herald.redis;

/**
 * The whole cluster's figures: the sum of what every live node last reported into Redis, as the
 * hub's {@code /metrics} and console show them.
 *
 * @param nodes nodes whose report has not expired
 * @param connections open event streams on those nodes
 * @param subscriptions topic selectors those streams follow
 */
public record ClusterCounts(int nodes, long connections, long subscriptions) {
  public ClusterCounts {
    if (nodes < 0 || connections < 0 || subscriptions < 0) {
      throw new IllegalArgumentException("negative count: " + nodes + ", " + connections + ", " + subscriptions);
    }
  }
}
