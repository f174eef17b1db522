package dev.herald.hub.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * A tiny Thompson automaton that matches a whole string in time linear in its length.
 *
 * <p>Why not {@link java.util.regex.Pattern}: subscribers choose their selectors, and a template
 * such as {@code {a}{b}{c}{d}} becomes adjacent, overlapping star loops, which a backtracking
 * engine explores in polynomial (worse, with nesting, exponential) time on a topic that almost
 * matches. The reference hub runs Go's RE2, which is linear; this keeps the same guarantee. Each
 * {@link #matches} call walks the input once, carrying the set of live states.
 *
 * <p>Immutable and thread-safe; every call allocates its own small state lists.
 */
final class Nfa {
  private static final int CHAR = 0;
  private static final int SET = 1;
  private static final int SPLIT = 2;
  private static final int JMP = 3;
  private static final int MATCH = 4;

  private final int[] op;
  private final int[] x;
  private final int[] y;
  private final CharSet[] sets;

  private Nfa(int[] op, int[] x, int[] y, CharSet[] sets) {
    this.op = op;
    this.x = x;
    this.y = y;
    this.sets = sets;
  }

  /** Compiles {@code node} so that {@link #matches} accepts exactly the strings it describes. */
  static Nfa compile(Node node) {
    Emitter e = new Emitter();
    e.emit(node);
    e.add(MATCH, 0, 0, null);
    int n = e.op.size();
    int[] op = new int[n];
    int[] x = new int[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      op[i] = e.op.get(i);
      x[i] = e.x.get(i);
      y[i] = e.y.get(i);
    }
    return new Nfa(op, x, y, e.sets.toArray(new CharSet[0]));
  }

  /** The number of instructions, which bounds the work per input character. */
  int size() {
    return op.length;
  }

  boolean matches(CharSequence input) {
    int n = op.length;
    int[] current = new int[n];
    int[] next = new int[n];
    int[] seen = new int[n]; // generation stamps: a state enters each list at most once
    int[] stack = new int[2 * n + 1]; // a SPLIT pushes two
    int generation = 1;
    int count = addClosure(current, 0, 0, seen, generation, stack);
    for (int i = 0; i < input.length() && count > 0; i++) {
      char c = input.charAt(i);
      generation++;
      int nextCount = 0;
      for (int k = 0; k < count; k++) {
        int pc = current[k];
        boolean step = switch (op[pc]) {
          case CHAR -> c == x[pc];
          case SET -> sets[x[pc]].contains(c);
          default -> false;
        };
        if (step) nextCount = addClosure(next, nextCount, pc + 1, seen, generation, stack);
      }
      int[] swap = current;
      current = next;
      next = swap;
      count = nextCount;
    }
    for (int k = 0; k < count; k++) {
      if (op[current[k]] == MATCH) return true;
    }
    return false;
  }

  /** Adds {@code start} and every state reachable from it without input; iterative, no recursion. */
  private int addClosure(int[] list, int count, int start, int[] seen, int generation, int[] stack) {
    int top = 0;
    stack[top++] = start;
    while (top > 0) {
      int pc = stack[--top];
      if (seen[pc] == generation) continue;
      seen[pc] = generation;
      switch (op[pc]) {
        case JMP -> stack[top++] = x[pc];
        case SPLIT -> {
          stack[top++] = y[pc];
          stack[top++] = x[pc];
        }
        default -> list[count++] = pc;
      }
    }
    return count;
  }

  /** The syntax tree the template and URL pattern parsers build. */
  sealed interface Node {}

  record Literal(String text) implements Node {}

  record OneOf(CharSet set) implements Node {}

  record Sequence(List<Node> nodes) implements Node {
    Sequence {
      nodes = List.copyOf(nodes);
    }

    static Sequence of(Node... nodes) {
      return new Sequence(List.of(nodes));
    }
  }

  record Either(Node first, Node second) implements Node {}

  /** Zero or more. */
  record ZeroOrMore(Node node) implements Node {}

  /** Zero or one. */
  record ZeroOrOne(Node node) implements Node {}

  /**
   * A set of characters: chosen ASCII characters, and optionally every non-ASCII character.
   * Templates and URL patterns only ever need ASCII classes plus "anything else".
   */
  static final class CharSet {
    private final long low;
    private final long high;
    private final boolean nonAscii;

    private CharSet(long low, long high, boolean nonAscii) {
      this.low = low;
      this.high = high;
      this.nonAscii = nonAscii;
    }

    static CharSet of(String chars) {
      long low = 0;
      long high = 0;
      for (int i = 0; i < chars.length(); i++) {
        char c = chars.charAt(i);
        if (c >= 128) throw new IllegalArgumentException("ASCII only");
        if (c < 64) {
          low |= 1L << c;
        } else {
          high |= 1L << (c - 64);
        }
      }
      return new CharSet(low, high, false);
    }

    static CharSet range(char from, char to) {
      StringBuilder b = new StringBuilder();
      for (char c = from; c <= to; c++) b.append(c);
      return of(b.toString());
    }

    /** Every character, non-ASCII included, except those in {@code chars}. */
    static CharSet allExcept(String chars) {
      CharSet excluded = of(chars);
      return new CharSet(~excluded.low, ~excluded.high, true);
    }

    CharSet union(CharSet other) {
      return new CharSet(low | other.low, high | other.high, nonAscii || other.nonAscii);
    }

    boolean contains(char c) {
      if (c >= 128) return nonAscii;
      return c < 64 ? (low & (1L << c)) != 0 : (high & (1L << (c - 64))) != 0;
    }
  }

  /** Emits Thompson-style code: a node compiles to a block whose end falls through. */
  private static final class Emitter {
    final List<Integer> op = new ArrayList<>();
    final List<Integer> x = new ArrayList<>();
    final List<Integer> y = new ArrayList<>();
    final List<CharSet> sets = new ArrayList<>();

    int add(int code, int a, int b, CharSet set) {
      if (set != null) {
        a = sets.size();
        sets.add(set);
      }
      op.add(code);
      x.add(a);
      y.add(b);
      return op.size() - 1;
    }

    void emit(Node node) {
      if (node instanceof Literal l) {
        for (int i = 0; i < l.text().length(); i++) add(CHAR, l.text().charAt(i), 0, null);
      } else if (node instanceof OneOf o) {
        add(SET, 0, 0, o.set());
      } else if (node instanceof Sequence s) {
        s.nodes().forEach(this::emit);
      } else if (node instanceof Either e) {
        int split = add(SPLIT, 0, 0, null);
        x.set(split, op.size());
        emit(e.first());
        int jump = add(JMP, 0, 0, null);
        y.set(split, op.size());
        emit(e.second());
        x.set(jump, op.size());
      } else if (node instanceof ZeroOrMore r) {
        int split = add(SPLIT, 0, 0, null);
        x.set(split, op.size());
        emit(r.node());
        add(JMP, split, 0, null);
        y.set(split, op.size());
      } else if (node instanceof ZeroOrOne o) {
        int split = add(SPLIT, 0, 0, null);
        x.set(split, op.size());
        emit(o.node());
        y.set(split, op.size());
      }
    }
  }
}
