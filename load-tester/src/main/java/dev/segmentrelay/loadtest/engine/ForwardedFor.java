package dev.segmentrelay.loadtest.engine;

import java.util.Locale;

/** Which requests carry the viewer's {@code X-Forwarded-For} (its simulated client address). */
public enum ForwardedFor {
  /** Only requests to the router (the host and port of {@code --url}): how the router locates. */
  ROUTER,
  /** Every request, edges included (for edges that log or limit by client address). */
  ALL,
  /** None: every viewer is located by the load tester's own address. */
  NONE;

  /** {@code router}, {@code all} or {@code none}. */
  public static ForwardedFor parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not one of router, all, none", e);
    }
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
