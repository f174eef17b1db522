package dev.herald.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.protocol.Event;
import dev.herald.server.Broker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The ticker demo's publisher: made-up prices on a random walk, one symbol per {@link #INTERVAL},
 * every symbol once per round, as {@code price} events ({@code {"symbol", "price", "change",
 * "changePercent", "time"}}) in topics {@code ticker/<symbol>}.
 */
final class Ticker {
  /** Pause between two price events: with six symbols, each moves about every 1.5 s. */
  static final Duration INTERVAL = Duration.ofMillis(250);
  static final String TOPIC_PREFIX = "ticker/";
  /** Fictional symbols and their opening prices. */
  static final Map<String, Double> OPENING = openingPrices();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Broker broker;
  private final Random random;
  private final Map<String, Double> prices = new LinkedHashMap<>(OPENING);
  private final List<String> round = new ArrayList<>();

  Ticker(Broker broker, long seed) {
    this.broker = broker;
    this.random = new Random(seed);
  }

  private static Map<String, Double> openingPrices() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("HRLD", 142.50);
    m.put("NOVA", 88.10);
    m.put("ORBT", 23.75);
    m.put("PIXL", 311.20);
    m.put("QNTM", 57.05);
    m.put("ZEPH", 9.42);
    return Collections.unmodifiableMap(m);
  }

  /** Moves one symbol's price and publishes it; called every {@link #INTERVAL} from one thread. */
  void tick() {
    if (round.isEmpty()) {
      round.addAll(prices.keySet());
      Collections.shuffle(round, random);
    }
    String symbol = round.remove(round.size() - 1);
    double before = prices.get(symbol);
    // About 0.4 % per move, pulled gently back towards the opening price so the board never drifts away.
    double open = OPENING.get(symbol);
    double drift = (open - before) / open * 0.05;
    double price = Math.max(0.01, before * (1 + drift + random.nextGaussian() * 0.004));
    price = Math.round(price * 100) / 100.0;
    prices.put(symbol, price);
    double change = Math.round((price - open) * 100) / 100.0;
    String data = JSON.createObjectNode()
        .put("symbol", symbol)
        .put("price", price)
        .put("change", change)
        .put("changePercent", Math.round(change / open * 10000) / 100.0)
        .put("time", Instant.now().toString())
        .toString();
    broker.publish(TOPIC_PREFIX + symbol, Event.named("price", data));
  }
}
