package dev.herald.spring.internal;

import dev.herald.server.Broker;
import org.springframework.context.SmartLifecycle;

/**
 * Ends Herald's streams in Spring's shutdown phase, before the web server's graceful shutdown
 * waits for requests to finish: an event stream never finishes on its own, so it would hold the
 * shutdown for its whole timeout. Each client is told when to come back ({@code retry:}) and
 * resumes with its {@code Last-Event-ID}, on this instance after a restart or on another.
 */
public final class HeraldShutdown implements SmartLifecycle {
  /**
   * Stops before Boot's web server graceful shutdown ({@code DEFAULT_PHASE - 1024}), which stops
   * before the server itself.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private final Broker broker;
  private volatile boolean running;

  public HeraldShutdown(Broker broker) {
    this.broker = broker;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    broker.close();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
