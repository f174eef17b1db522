package dev.herald.hub.console;

/**
 * A cluster's figures, summed over its live nodes, as the console and {@code /metrics} show them.
 *
 * @param nodes hub nodes that reported recently
 * @param connections open event streams on all of them
 * @param subscriptions topic selectors those streams follow
 */
public record ClusterFigures(int nodes, long connections, long subscriptions) {}
