package dev.segmentrelay.loadtest.engine;

import java.time.Duration;
import java.util.List;

/**
 * When each viewer starts and stops, as offsets from the run's start; a pure function of the
 * profile, so it is tested without time passing.
 *
 * <p>Base viewers {@code 0..viewers-1} join evenly over the ramp (all at 0 without one), hold for
 * {@code duration} after the ramp, then leave evenly over the ramp down, first joined first gone.
 * Spike viewers follow the base ones in index order, joining evenly over their window; they leave
 * with everyone during the ramp down. The run ends at {@code ramp + duration + rampDown}.
 */
public final class LoadPlan {
  private final long[] startMillis;
  private final long[] stopMillis;
  private final long holdEndMillis;
  private final long endMillis;
  private final int baseViewers;

  private LoadPlan(long[] startMillis, long[] stopMillis, long holdEnd, long end, int base) {
    this.startMillis = startMillis;
    this.stopMillis = stopMillis;
    this.holdEndMillis = holdEnd;
    this.endMillis = end;
    this.baseViewers = base;
  }

  /**
   * The plan of a profile.
   *
   * @throws IllegalArgumentException if a spike starts after the hold ends
   */
  public static LoadPlan of(
      int viewers, Duration ramp, Duration duration, Duration rampDown, List<Spike> spikes) {
    int total = viewers;
    for (Spike s : spikes) {
      total = Math.addExact(total, s.viewers());
    }
    long rampMs = ramp.toMillis();
    long holdEnd = rampMs + duration.toMillis();
    long downMs = rampDown.toMillis();
    long[] start = new long[total];
    long[] stop = new long[total];
    for (int i = 0; i < viewers; i++) {
      start[i] = spread(i, viewers, rampMs, 0);
    }
    int index = viewers;
    for (Spike s : spikes) {
      long at = s.at().toMillis();
      if (at >= holdEnd) {
        throw new IllegalArgumentException(
            "spike " + s + " starts at or after the hold ends (" + holdEnd + " ms)");
      }
      long window = Math.min(s.window().toMillis(), holdEnd - at);
      for (int j = 0; j < s.viewers(); j++) {
        start[index++] = spread(j, s.viewers(), window, at);
      }
    }
    for (int i = 0; i < total; i++) {
      stop[i] = holdEnd + spread(i, total, downMs, 0);
    }
    return new LoadPlan(start, stop, holdEnd, holdEnd + downMs, viewers);
  }

  private static long spread(int i, int n, long window, long offset) {
    return n <= 1 || window <= 0 ? offset : offset + (window * i) / n;
  }

  /** Viewers in the plan, spikes included. */
  public int viewers() {
    return startMillis.length;
  }

  public int baseViewers() {
    return baseViewers;
  }

  public long startMillis(int viewer) {
    return startMillis[viewer];
  }

  public long stopMillis(int viewer) {
    return stopMillis[viewer];
  }

  /** When the ramp down begins. */
  public long holdEndMillis() {
    return holdEndMillis;
  }

  /** When the last viewer is stopped. */
  public long endMillis() {
    return endMillis;
  }

  /**
   * Most viewers the plan has running at once: all of them, since every start precedes the hold's
   * end and every stop follows it.
   */
  public int peakViewers() {
    return startMillis.length;
  }

  /**
   * When the heap per viewer is measured: the latest start before the hold ends plus half of the
   * rest of the hold, when the most viewers run.
   */
  public long peakMeasureMillis() {
    long lastStart = 0;
    for (long t : startMillis) {
      lastStart = Math.max(lastStart, t);
    }
    return lastStart + (holdEndMillis - lastStart) / 2;
  }
}
