package dev.herald.hub;

/** The {@code herald} command. */
public final class HeraldMain {
  private HeraldMain() {}

  public static void main(String[] args) {
    System.err.println("herald: the hub is being built");
  }
}
