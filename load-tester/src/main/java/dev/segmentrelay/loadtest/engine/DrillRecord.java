package dev.segmentrelay.loadtest.engine;

import java.time.Instant;

/**
 * A drill as it happened, for the results: each affected viewer's recovery is the time from {@code
 * monotonicMillis} to its next whole segment from another edge.
 *
 * @param drill what was planned
 * @param offsetMillis when it ran, from the run's start
 * @param monotonicMillis when it ran on the viewers' clock ({@link
 *     EventLoopScheduler#monotonicMillis()})
 * @param wallTime when it ran, wall clock
 * @param ok whether the drain was accepted or the kill command exited 0
 * @param detail what happened, for people (status, exit code, error)
 */
public record DrillRecord(
    Drill drill,
    long offsetMillis,
    long monotonicMillis,
    Instant wallTime,
    boolean ok,
    String detail) {}
