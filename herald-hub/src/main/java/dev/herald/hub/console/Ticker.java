package dev.herald.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.protocol.Event;
import dev.herald.server.EventStream;
import dev.herald.server.StreamHandler;
import dev.herald.server.StreamRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ticker demo: made-up prices on a random walk, one symbol per {@link #INTERVAL}, every symbol
 * once per round, as {@code price} events ({@code {"symbol", "price", "change", "changePercent",
 * "time"}}) sent to every open {@code GET} {@value #PATH} stream.
 *
 * <p>Not published through the broker: prices four times a second, all day, are no history anyone
 * resumes from, and in the durable store they would be hundreds of thousands of rows a day.
 */
final class Ticker implements StreamHandler {
  /** The ticker page's stream. */
  static final String PATH = "/demo/ticker/events";
  /** Pause between two price events: with six symbols, each moves about every 1.5 s. */
  static final Duration INTERVAL = Duration.ofMillis(250);
  /** Fictional symbols and their opening prices. */
  static final Map<String, Double> OPENING = openingPrices();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Random random;
  private final Map<String, Double> prices = new LinkedHashMap<>(OPENING);
  private final List<String> round = new ArrayList<>();
  private final Set<EventStream> watching = ConcurrentHashMap.newKeySet();

  Ticker(long seed) {
    this.random = new Random(seed);
  }

  /** Called on an event loop for each page that opens the stream: from now on it gets every price. */
  @Override
  public void handle(StreamRequest request, EventStream stream) {
    watching.add(stream);
    stream.onClose(() -> watching.remove(stream));
  }

  /** Pages watching now. */
  int watching() {
    return watching.size();
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

  /** Moves one symbol's price and sends it to every page watching; called every {@link #INTERVAL} from one thread. */
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
    Event event = Event.named("price", data);
    // A stream that closes meanwhile fails its send: its onClose removes it.
    for (EventStream stream : watching) stream.send(event);
  }
}
