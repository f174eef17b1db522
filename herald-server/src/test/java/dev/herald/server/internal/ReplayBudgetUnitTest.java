package dev.herald.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBudgetUnitTest {
  private final List<String> granted = new ArrayList<>();

  @Test
  void reservationsThatDoNotFitWaitAndAreGrantedInOrderAsBytesComeBack() {
    ReplayBudget budget = new ReplayBudget(100);
    budget.acquire(60, Runnable::run, () -> granted.add("a"));
    budget.acquire(60, Runnable::run, () -> granted.add("b"));
    budget.acquire(10, Runnable::run, () -> granted.add("c")); // fits, but b was first
    assertThat(granted).containsExactly("a");
    assertThat(budget.waiting()).isEqualTo(2);

    budget.release(60);
    assertThat(granted).containsExactly("a", "b", "c");
    assertThat(budget.heldBytes()).isEqualTo(70);
    assertThat(budget.peakBytes()).isEqualTo(70);
    assertThat(budget.waits()).isEqualTo(2);
  }

  @Test
  void aReservationLargerThanTheBudgetGoesThroughAloneWhenNothingElseIsHeld() {
    ReplayBudget budget = new ReplayBudget(100);
    budget.acquire(10, Runnable::run, () -> granted.add("small"));
    budget.acquire(500, Runnable::run, () -> granted.add("large"));
    assertThat(granted).containsExactly("small");
    budget.release(10);
    assertThat(granted).containsExactly("small", "large");
    budget.release(500);
    assertThat(budget.heldBytes()).isZero();
  }

  @Test
  void aGrantForAStoppedLoopGivesItsBytesBack() {
    ReplayBudget budget = new ReplayBudget(100);
    budget.acquire(100, Runnable::run, () -> granted.add("a"));
    budget.acquire(100, task -> {
      throw new java.util.concurrent.RejectedExecutionException("stopped");
    }, () -> granted.add("never"));
    budget.release(100);
    assertThat(granted).containsExactly("a");
    assertThat(budget.heldBytes()).isZero();
  }
}
