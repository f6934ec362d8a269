package dev.segmentrelay.loadtest.engine;

/**
 * What the engine tells the results side as the run goes. Called from the runner's thread (drills
 * from a drill thread); every method has a do-nothing default.
 */
public interface RunListener {
  /** Viewers are about to start; {@code monotonicMillis} is the run's time zero. */
  default void started(LoadPlan plan, long monotonicMillis) {}

  /** Once per progress interval: viewers running now. */
  default void tick(long offsetMillis, int activeViewers) {}

  /** A drill ran. */
  default void drill(DrillRecord drill) {}

  /**
   * The run is over (every viewer stopped): write the results and judge the SLOs.
   *
   * @return the process exit code: 0, or the SLO failure code
   */
  default int finished(RunSummary summary) {
    return 0;
  }
}
