package dev.segmentrelay.loadtest.engine;

import io.netty.channel.EventLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How hard the load tester itself works, so its figures can be trusted or not.
 *
 * <p><b>Event-loop lag.</b> Each loop runs a {@value #PROBE_MILLIS} ms periodic timer; the drift
 * between when it should have fired and when it did is how long viewer callbacks waited for a busy
 * loop. A p99 above {@link RunSummary#BOTTLENECK_LAG_MILLIS} ms means download times include the
 * load tester's own queueing: it is the bottleneck.
 *
 * <p><b>CPU.</b> Process CPU time deltas over wall time deltas, as a percent of all cores.
 *
 * <p><b>Heap.</b> Used heap after a full GC, before the viewers and at the peak.
 */
final class SelfMonitor {
  static final long PROBE_MILLIS = 100;
  private static final long MAX_MICROS = 600_000_000L;

  private final Recorder lag = new Recorder(MAX_MICROS, 2);
  private final Histogram runLag = new Histogram(MAX_MICROS, 2);
  private final LongSupplier cpuNanos;
  private final LongSupplier wallNanos;
  private final int cores;
  private Histogram interval;
  private long lastCpu;
  private long lastWall;
  private long firstCpu;
  private long firstWall;
  private double cpuMax;

  SelfMonitor(LongSupplier cpuNanos, LongSupplier wallNanos, int cores) {
    this.cpuNanos = cpuNanos;
    this.wallNanos = wallNanos;
    this.cores = Math.max(1, cores);
    this.lastCpu = this.firstCpu = cpuNanos.getAsLong();
    this.lastWall = this.firstWall = wallNanos.getAsLong();
  }

  /** Reads this process's CPU time, or -1 where the JVM cannot tell. */
  static SelfMonitor forThisProcess() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    LongSupplier cpu =
        os instanceof com.sun.management.OperatingSystemMXBean sun
            ? sun::getProcessCpuTime
            : () -> -1L;
    return new SelfMonitor(cpu, System::nanoTime, Runtime.getRuntime().availableProcessors());
  }

  /** Starts the lag probe on {@code loop} (it ends with the loop). */
  void probe(EventLoop loop) {
    long[] expected = {System.nanoTime() + PROBE_MILLIS * 1_000_000};
    loop.scheduleWithFixedDelay(
        () -> {
          long now = System.nanoTime();
          long late = Math.max(0, now - expected[0]) / 1000;
          lag.recordValue(Math.min(MAX_MICROS, Math.max(1, late)));
          expected[0] = now + PROBE_MILLIS * 1_000_000;
        },
        PROBE_MILLIS,
        PROBE_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** One interval's figures. */
  record Tick(double cpuPercent, double lagP99Millis, double lagMaxMillis) {}

  /** The figures since the previous tick (called from one thread). */
  synchronized Tick tick() {
    interval = lag.getIntervalHistogram(interval);
    runLag.add(interval);
    long cpu = cpuNanos.getAsLong();
    long wall = wallNanos.getAsLong();
    double percent = percent(cpu - lastCpu, wall - lastWall);
    cpuMax = Math.max(cpuMax, percent);
    lastCpu = cpu;
    lastWall = wall;
    return new Tick(percent, p99(interval), interval.getMaxValue() / 1000.0);
  }

  double cpuPercentMean() {
    return percent(lastCpu - firstCpu, lastWall - firstWall);
  }

  double cpuPercentMax() {
    return cpuMax;
  }

  double cpuSeconds() {
    return cpuNanos.getAsLong() < 0 ? Double.NaN : (lastCpu - firstCpu) / 1e9;
  }

  synchronized double runLagP99Millis() {
    return p99(runLag);
  }

  synchronized double runLagMaxMillis() {
    return runLag.getMaxValue() / 1000.0;
  }

  private double percent(long cpu, long wall) {
    if (cpu < 0 || wall <= 0 || cpuNanos.getAsLong() < 0) {
      return Double.NaN;
    }
    return 100.0 * cpu / ((double) wall * cores);
  }

  private static double p99(Histogram h) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0;
  }

  /** Used heap after a full GC, in bytes. */
  static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** Heap per viewer from the baseline and the peak, if there are viewers. */
  static OptionalLong perViewer(long baseline, long peak, int viewers) {
    return viewers <= 0
        ? OptionalLong.empty()
        : OptionalLong.of(Math.max(0, peak - baseline) / viewers);
  }
}
