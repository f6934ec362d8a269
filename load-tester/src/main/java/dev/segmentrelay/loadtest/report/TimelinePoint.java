package dev.segmentrelay.loadtest.report;

/**
 * One second (one {@link Results#snapshot()}) of the run.
 *
 * @param t seconds since the start, at the end of the interval
 * @param viewers active viewers at the end of the interval
 * @param segmentMs segments completed in the interval
 * @param stalls stalls that began in the interval
 * @param errors failed requests in the interval
 */
public record TimelinePoint(
    double t,
    long viewers,
    double requestsPerSecond,
    double mbitPerSecond,
    Latency segmentMs,
    long stalls,
    long errors,
    double cpuPercentOfOneCore,
    double loopLagP99Millis) {}
