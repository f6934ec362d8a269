package dev.segmentrelay.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The console's progress lines, one set per second:
 *
 * <pre>
 *   12s viewers 9812 (peak 10000) | 4210 req/s | 812.4 Mbit/s | seg p50 12ms p99 180ms | stalls 3 (+1) | errors 0 (+0) | cpu 143% lag p99 4.0ms
 *     jp  viewers 1962 | 842 req/s | 162.5 Mbit/s | seg p50 40ms p99 210ms | stalls 1 (+0) | errors 0 (+0)
 * </pre>
 *
 * A trailing {@code LOAD TESTER IS THE BOTTLENECK} marks seconds the engine judged unreliable.
 */
public final class LiveLine {
  private LiveLine() {}

  /** The overall line. */
  public static String format(Snapshot s) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%5.0fs ", s.elapsedSeconds()));
    group(b, s.all(), true);
    LoadTesterHealth h = s.loadTester();
    b.append(
        String.format(
            Locale.ROOT,
            " | cpu %.0f%% lag p99 %.1fms",
            h.cpuPercentOfOneCore(),
            h.loopLagP99Millis()));
    if (h.bottleneck()) {
      b.append(" | LOAD TESTER IS THE BOTTLENECK");
    }
    return b.toString();
  }

  /** One line per region, indented under the overall line. */
  public static List<String> regionLines(Snapshot s) {
    List<String> lines = new ArrayList<>();
    int width = 2;
    for (String code : s.regions().keySet()) {
      width = Math.max(width, code.length());
    }
    for (Snapshot.GroupSnapshot g : s.regions().values()) {
      StringBuilder b = new StringBuilder("    ");
      b.append(String.format(Locale.ROOT, "%-" + width + "s ", printable(g.name())));
      group(b, g, false);
      lines.add(b.toString());
    }
    return lines;
  }

  private static void group(StringBuilder b, Snapshot.GroupSnapshot g, boolean peak) {
    Snapshot.Window last = g.lastSecond();
    b.append("viewers ").append(g.activeViewers());
    if (peak) {
      b.append(" (peak ").append(g.peakViewers()).append(')');
    }
    b.append(
        String.format(
            Locale.ROOT,
            " | %.0f req/s | %.1f Mbit/s | seg p50 %s p99 %s | stalls %d (+%d) | errors %d (+%d)",
            last.requestsPerSecond(),
            last.mbitPerSecond(),
            millis(last.segmentMs(), 50),
            millis(last.segmentMs(), 99),
            g.total().stalls(),
            last.stalls(),
            g.total().errors(),
            last.errors()));
  }

  private static String millis(Latency l, int percentile) {
    if (l.count() == 0) {
      return "-";
    }
    double v = l.percentile(percentile);
    return v >= 10
        ? String.format(Locale.ROOT, "%.0fms", v)
        : String.format(Locale.ROOT, "%.1fms", v);
  }

  /** Region codes come from the command line; keep control characters off the terminal. */
  private static String printable(String s) {
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
