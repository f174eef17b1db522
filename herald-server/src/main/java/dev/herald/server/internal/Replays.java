package dev.herald.server.internal;

import dev.herald.server.EventLog;
import dev.herald.server.ReplayRequest;
import dev.herald.server.Subscription;

/** What every replay of a broker shares: the log it reads, the page bounds and the byte budget. */
final class Replays {
  /** Events in one page at most: a bound on the rows one read walks, whatever their size. */
  static final int PAGE_EVENTS = 1_000;

  private final EventLog log;
  private final long pageBytes;
  private final ReplayBudget budget;

  Replays(EventLog log, long pageBytes, long budgetBytes) {
    this.log = log;
    this.pageBytes = pageBytes;
    this.budget = new ReplayBudget(budgetBytes);
  }

  EventLog log() {
    return log;
  }

  ReplayBudget budget() {
    return budget;
  }

  ReplayRequest firstPage(String lastEventId, Subscription subscription) {
    return ReplayRequest.after(lastEventId, subscription, PAGE_EVENTS, pageBytes);
  }
}
