package dev.segmentrelay.loadtest.engine;

/**
 * Where the console's live figures come from: {@link LiveCounters}, or an adapter over the results'
 * own per-second snapshot.
 */
@FunctionalInterface
public interface ProgressSource {
  /** Figures now; called once per progress interval from the runner's thread. */
  ProgressSnapshot snapshot();
}
