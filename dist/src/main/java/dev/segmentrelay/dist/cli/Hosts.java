package dev.segmentrelay.dist.cli;

/** Turns a bind address into a host for the URLs a command prints. */
public final class Hosts {
  private Hosts() {}

  /** {@code 0.0.0.0} and {@code ::} become {@code localhost}; IPv6 literals get brackets. */
  public static String urlHost(String bind) {
    if (bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]")) {
      return "localhost";
    }
    return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
  }
}
