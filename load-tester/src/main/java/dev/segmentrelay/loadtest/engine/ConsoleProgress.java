package dev.segmentrelay.loadtest.engine;

import java.util.Locale;
import java.util.Map;

/** The one line printed per progress interval (a pure function, tested without a run). */
final class ConsoleProgress {
  private ConsoleProgress() {}

  /**
   * {@code [ 12s] viewers 1200/2000 | 350 req/s 45.2 Mbit/s | segment p50 120 ms p99 480 ms |
   * stalls 3 errors 12 | cpu 45% lag p99 3 ms | jp 240 v 0 err, de 960 v 12 err}.
   */
  static String line(
      long offsetMillis,
      int active,
      int planned,
      ProgressSnapshot now,
      ProgressSnapshot before,
      double seconds,
      Map<String, Integer> activeByRegion,
      SelfMonitor.Tick self) {
    double s = seconds <= 0 ? 1 : seconds;
    StringBuilder line = new StringBuilder();
    line.append(
        String.format(
            Locale.ROOT,
            "[%5ds] viewers %d/%d | %.0f req/s %.1f Mbit/s | segment p50 %s p99 %s |"
                + " stalls %d errors %d | cpu %s lag p99 %.0f ms",
            offsetMillis / 1000,
            active,
            planned,
            (now.requests() - before.requests()) / s,
            (now.bytes() - before.bytes()) * 8 / s / 1e6,
            millis(now.segmentP50Millis()),
            millis(now.segmentP99Millis()),
            now.stalls(),
            now.errors(),
            Double.isNaN(self.cpuPercent())
                ? "n/a"
                : String.format(Locale.ROOT, "%.0f%%", self.cpuPercent()),
            self.lagP99Millis()));
    if (activeByRegion.size() > 1 || !activeByRegion.containsKey(RegionMix.DEFAULT_REGION)) {
      line.append(" |");
      String sep = " ";
      for (Map.Entry<String, Integer> e : activeByRegion.entrySet()) {
        ProgressSnapshot.RegionProgress r = now.regions().get(e.getKey());
        line.append(sep)
            .append(e.getKey())
            .append(' ')
            .append(e.getValue())
            .append(" v ")
            .append(r == null ? 0 : r.errors())
            .append(" err");
        sep = ", ";
      }
    }
    if (self.lagP99Millis() > RunSummary.BOTTLENECK_LAG_MILLIS) {
      line.append(System.lineSeparator())
          .append(
              String.format(
                  Locale.ROOT,
                  "WARNING: event-loop lag p99 %.0f ms: the load tester itself is the bottleneck;"
                      + " use fewer viewers per process or more cores",
                  self.lagP99Millis()));
    }
    return line.toString();
  }

  private static String millis(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f ms", value);
  }
}
