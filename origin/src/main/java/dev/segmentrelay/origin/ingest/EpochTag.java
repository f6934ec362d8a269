package dev.segmentrelay.origin.ingest;

import java.time.Clock;

/**
 * Ingest epoch tags: {@code "e" + base36(millis)} of when the epoch began, strictly increasing
 * within a stream. Published names carry the tag, so names stay unique across transcoder restarts
 * and across origin restarts (a restarted origin starts a later epoch).
 */
public final class EpochTag {
  private final Clock clock;
  private long last = -1;
  private String current;

  public EpochTag(Clock clock) {
    this.clock = clock;
    this.current = next();
  }

  /** The tag in force. */
  public synchronized String current() {
    return current;
  }

  /** Starts a new epoch and returns its tag, later than every earlier one. */
  public synchronized String advance() {
    current = next();
    return current;
  }

  /**
   * Makes the tag in force later than {@code earlier} (a tag of a previous origin run, restored
   * from the archive), so names continue to be unique even if this machine's clock went back.
   */
  public synchronized String advancePast(String earlier) {
    long millis;
    try {
      millis = Long.parseLong(earlier.substring(1), 36);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + earlier + "' is not an epoch tag (e + base36)", e);
    }
    if (millis >= last) {
      last = millis;
      current = next();
    }
    return current;
  }

  private String next() {
    long now = Math.max(clock.millis(), last + 1);
    last = now;
    return "e" + Long.toString(now, 36);
  }
}
