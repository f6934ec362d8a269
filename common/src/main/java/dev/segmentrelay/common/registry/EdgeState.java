package dev.segmentrelay.common.registry;

import java.util.Locale;

/**
 * An edge's life cycle as the registry shows it: {@code starting} until its viewer port listens and
 * its first upstream check passes, {@code serving} while it takes viewers, {@code draining} once an
 * operator asked it to finish current viewers and take no new ones. Only {@link #SERVING} edges are
 * routing targets.
 */
public enum EdgeState {
  STARTING,
  SERVING,
  DRAINING;

  /** The lower-case name used in JSON and on the command line. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
