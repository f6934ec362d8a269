package dev.segmentrelay.loadtest.report;

/**
 * How the load tester itself is doing, measured by the engine: if it is short of CPU or its event
 * loops lag, the figures understate what the network can serve.
 *
 * @param cpuPercentOfOneCore process CPU time per wall time, 100 = one core busy
 * @param cpuPercentOfMachine the same over all cores, 100 = the machine busy
 * @param loopLagP99Millis event-loop lag, 99th percentile
 * @param loopLagMaxMillis event-loop lag, maximum
 * @param bottleneck whether the engine judged the load tester to be the bottleneck
 * @param heapPerViewerBytes heap in use per active viewer (0 = not measured)
 */
public record LoadTesterHealth(
    double cpuPercentOfOneCore,
    double cpuPercentOfMachine,
    double loopLagP99Millis,
    double loopLagMaxMillis,
    boolean bottleneck,
    long heapPerViewerBytes) {
  public static final LoadTesterHealth UNKNOWN = new LoadTesterHealth(0, 0, 0, 0, false, 0);
}
