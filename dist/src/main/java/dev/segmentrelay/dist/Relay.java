package dev.segmentrelay.dist;

/** Entry point of the {@code relay} executable (filled in with picocli subcommands). */
public final class Relay {
  private Relay() {}

  public static void main(String[] args) {
    System.err.println("relay: no subcommands yet");
    System.exit(2);
  }
}
