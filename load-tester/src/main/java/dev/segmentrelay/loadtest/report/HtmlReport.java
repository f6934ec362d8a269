package dev.segmentrelay.loadtest.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The {@code relay loadtest --report} page: one self-contained file (inline CSS, inline SVG charts
 * drawn here, no script, no external asset) that is also well-formed XML, so it opens anywhere and
 * tests can parse it. Every text from outside (URLs, region codes, edge names, SLO clauses) is
 * escaped.
 */
public final class HtmlReport {
  private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd"};
  private static final int W = 560;
  private static final int H = 220;
  private static final int LEFT = 60;
  private static final int RIGHT = 110;
  private static final int TOP = 28;
  private static final int BOTTOM = 30;

  private HtmlReport() {}

  /** Writes the page to {@code file}, replacing it. */
  public static void write(Summary summary, Optional<Slo.Verdict> slo, Path file)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, render(summary, slo));
  }

  /** The page as text. */
  public static String render(Summary s, Optional<Slo.Verdict> slo) {
    StringBuilder b = new StringBuilder(64 * 1024);
    GroupSummary a = s.all();
    String title =
        "Load test"
            + s.run().map(r -> ": " + r.url()).orElse("")
            + " ("
            + a.peakViewers()
            + " viewers)";
    b.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
        .append("<meta charset=\"utf-8\"/>\n<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n");

    verdictBanner(b, slo, s.loadTester());
    runTable(b, s);
    keyFigures(b, s);

    b.append("<h2>Over time</h2>\n<div class=\"charts\">\n");
    List<TimelinePoint> t = s.timeline();
    chart(b, "viewers", "Active viewers", "", t, List.of(series("viewers", p -> p.viewers())));
    chart(
        b,
        "throughput",
        "Throughput",
        "Mbit/s",
        t,
        List.of(series("Mbit/s", TimelinePoint::mbitPerSecond)));
    chart(
        b,
        "latency",
        "Segment download time",
        "ms",
        t,
        List.of(
            series("p50", p -> p.segmentMs().p50()),
            series("p95", p -> p.segmentMs().p95()),
            series("p99", p -> p.segmentMs().p99())));
    chart(
        b,
        "stalls",
        "Stalls and errors per second",
        "",
        t,
        List.of(series("stalls", p -> p.stalls()), series("errors", p -> p.errors())));
    chart(
        b,
        "loadtester",
        "Load tester",
        "",
        t,
        List.of(
            series("CPU % (1 core)", TimelinePoint::cpuPercentOfOneCore),
            series("lag p99 ms", TimelinePoint::loopLagP99Millis)));
    b.append("</div>\n");

    b.append("<h2>Regions</h2>\n");
    table(
        b,
        "regions",
        List.of(
            "region",
            "viewers",
            "startup p50",
            "startup p95",
            "segment p50",
            "segment p99",
            "stalls",
            "rebuffer",
            "requests",
            "errors",
            "MB",
            "switches"),
        s.regions(),
        g ->
            List.of(
                Long.toString(g.peakViewers()),
                ms(g.startupMs().p50()),
                ms(g.startupMs().p95()),
                ms(g.segmentMs().p50()),
                ms(g.segmentMs().p99()),
                Long.toString(g.stalls()),
                pct(g.rebufferRatio()),
                Long.toString(g.requests()),
                Long.toString(g.errors()),
                mb(g.bytes()),
                Long.toString(g.switches())));

    b.append("<h2>Edges</h2>\n");
    table(
        b,
        "edges",
        List.of(
            "edge",
            "requests",
            "errors",
            "MB",
            "segments",
            "segment p50",
            "segment p95",
            "segment p99",
            "hit ratio"),
        s.edges(),
        g ->
            List.of(
                Long.toString(g.requests()),
                Long.toString(g.errors()),
                mb(g.bytes()),
                Long.toString(g.segments()),
                ms(g.segmentMs().p50()),
                ms(g.segmentMs().p95()),
                ms(g.segmentMs().p99()),
                pct(g.hitRatio())));

    b.append("<h2>Cache results</h2>\n");
    table(
        b,
        "cache",
        List.of("X-Relay-Cache", "requests", "errors", "MB", "segment p50", "segment p99"),
        s.cache(),
        g ->
            List.of(
                Long.toString(g.requests()),
                Long.toString(g.errors()),
                mb(g.bytes()),
                ms(g.segmentMs().p50()),
                ms(g.segmentMs().p99())));

    b.append("<h2>Requests and errors</h2>\n");
    table(
        b,
        "requests",
        List.of("kind", "ok", "failed"),
        s.requestsByKind(),
        c -> List.of(Long.toString(c.ok()), Long.toString(c.failed())));
    table(b, "errors", List.of("error", "count"), s.errorsByKind(), n -> List.of(Long.toString(n)));

    if (!s.drills().isEmpty()) {
      b.append("<h2>Drills</h2>\n<table id=\"drills\">\n<tr>");
      for (String h :
          List.of("drill", "at", "affected", "recovered", "recovery p50", "recovery p95", "max")) {
        b.append("<th>").append(esc(h)).append("</th>");
      }
      b.append("</tr>\n");
      for (DrillSummary d : s.drills()) {
        row(
            b,
            List.of(
                d.name(),
                num(d.atSeconds(), 1) + " s",
                Long.toString(d.affected()),
                Long.toString(d.recovered()),
                ms(d.recoveryMs().p50()),
                ms(d.recoveryMs().p95()),
                ms(d.recoveryMs().max())));
      }
      b.append("</table>\n");
    }

    sloTable(b, slo);
    loadTesterTable(b, s.loadTester());
    b.append("</body>\n</html>\n");
    return b.toString();
  }

  private static void verdictBanner(
      StringBuilder b, Optional<Slo.Verdict> slo, LoadTesterHealth h) {
    if (slo.isPresent()) {
      boolean ok = slo.get().passed();
      b.append("<p class=\"verdict ")
          .append(ok ? "pass" : "fail")
          .append("\">SLO ")
          .append(ok ? "passed" : "FAILED")
          .append(": ")
          .append(esc(slo.get().expression()))
          .append("</p>\n");
    }
    if (h.bottleneck()) {
      b.append("<p class=\"verdict warn\" id=\"bottleneck\">Warning: ")
          .append(esc(JsonReport.bottleneckMessage(h)))
          .append("</p>\n");
    }
  }

  private static void runTable(StringBuilder b, Summary s) {
    if (s.run().isEmpty()) {
      return;
    }
    RunInfo r = s.run().get();
    StringBuilder regions = new StringBuilder();
    r.regions()
        .forEach(
            (k, v) ->
                regions
                    .append(regions.length() > 0 ? ", " : "")
                    .append(k)
                    .append('=')
                    .append(v)
                    .append('%'));
    b.append("<table id=\"run\" class=\"kv\">\n");
    kv(b, "URL", r.url());
    kv(b, "viewers asked", Integer.toString(r.viewers()));
    kv(b, "duration", num(r.duration().toMillis() / 1000.0, 0) + " s");
    kv(b, "profile", r.profile());
    kv(b, "regions", regions.toString());
    kv(b, "start", r.start().toString());
    kv(b, "end", r.end().map(Object::toString).orElse("-"));
    b.append("</table>\n");
  }

  private static void keyFigures(StringBuilder b, Summary s) {
    GroupSummary a = s.all();
    b.append("<h2>Summary</h2>\n<table id=\"summary\" class=\"kv\">\n");
    kv(b, "peak concurrent viewers", Long.toString(a.peakViewers()));
    kv(b, "startup p50 / p95 / p99", ms3(a.startupMs()));
    kv(b, "segment download p50 / p95 / p99", ms3(a.segmentMs()));
    kv(b, "stalls", a.stalls() + " (" + num(a.stallMillis() / 1000, 1) + " s stalled)");
    kv(b, "rebuffer ratio", pct(a.rebufferRatio()));
    kv(b, "requests", Long.toString(a.requests()));
    kv(b, "errors", a.errors() + " (" + pct(a.errorRatio()) + ")");
    kv(b, "data", mb(a.bytes()) + " MB");
    kv(b, "rendition switches", Long.toString(a.switches()));
    kv(b, "edge moves", Long.toString(a.edgeMoves()));
    kv(b, "viewers that gave up", Long.toString(a.gaveUp()));
    kv(b, "duration", num(s.elapsedSeconds(), 1) + " s");
    b.append("</table>\n");
  }

  private static void sloTable(StringBuilder b, Optional<Slo.Verdict> slo) {
    if (slo.isEmpty()) {
      return;
    }
    b.append("<h2>SLO</h2>\n<table id=\"slo\">\n<tr><th>clause</th><th>measured</th>")
        .append("<th>verdict</th></tr>\n");
    for (Slo.Check c : slo.get().checks()) {
      b.append("<tr class=\"").append(c.passed() ? "pass" : "fail").append("\">");
      cell(b, c.clause().text());
      cell(b, Double.isNaN(c.actual()) ? "no samples" : num(c.actual(), 4));
      cell(b, c.passed() ? "pass" : "FAIL");
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static void loadTesterTable(StringBuilder b, LoadTesterHealth h) {
    b.append("<h2>Load tester</h2>\n<table id=\"loadtester\" class=\"kv\">\n");
    kv(b, "CPU (mean, % of one core)", num(h.cpuPercentOfOneCore(), 0) + " %");
    kv(b, "CPU (mean, % of the machine)", num(h.cpuPercentOfMachine(), 0) + " %");
    kv(b, "event-loop lag p99 (worst second)", num(h.loopLagP99Millis(), 1) + " ms");
    kv(b, "event-loop lag max", num(h.loopLagMaxMillis(), 1) + " ms");
    kv(b, "heap per viewer", h.heapPerViewerBytes() == 0 ? "-" : h.heapPerViewerBytes() + " bytes");
    kv(b, "bottleneck", h.bottleneck() ? "YES: figures may understate the network" : "no");
    b.append("</table>\n");
  }

  // ---- charts ----

  private record Series(String name, ToDoubleFunction<TimelinePoint> value) {}

  private static Series series(String name, ToDoubleFunction<TimelinePoint> value) {
    return new Series(name, value);
  }

  private static void chart(
      StringBuilder b,
      String id,
      String title,
      String unit,
      List<TimelinePoint> points,
      List<Series> series) {
    double maxT = 0;
    double maxY = 0;
    for (TimelinePoint p : points) {
      maxT = Math.max(maxT, p.t());
      for (Series s : series) {
        maxY = Math.max(maxY, finite(s.value().applyAsDouble(p)));
      }
    }
    maxT = maxT <= 0 ? 1 : maxT;
    maxY = niceCeiling(maxY);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    b.append("<figure id=\"chart-")
        .append(id)
        .append("\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" role=\"img\">\n<title>")
        .append(esc(title))
        .append("</title>\n");
    b.append("<text x=\"")
        .append(LEFT)
        .append("\" y=\"16\" class=\"ct\">")
        .append(esc(title + (unit.isEmpty() ? "" : " (" + unit + ")")))
        .append("</text>\n");
    for (int i = 0; i <= 4; i++) {
      double y = TOP + plotH - plotH * i / 4.0;
      b.append(
              String.format(
                  Locale.ROOT,
                  "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
                  LEFT,
                  y,
                  LEFT + plotW,
                  y))
          .append(
              String.format(
                  Locale.ROOT,
                  "<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">",
                  LEFT - 4,
                  y + 4))
          .append(esc(axis(maxY * i / 4)))
          .append("</text>\n");
    }
    b.append(
            String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"ax\">0 s</text>", LEFT, H - 10))
        .append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" class=\"ax\" text-anchor=\"end\">%s s</text>\n",
                LEFT + plotW,
                H - 10,
                esc(num(maxT, 0))));
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      String color = COLORS[si % COLORS.length];
      b.append("<polyline class=\"series\" data-series=\"")
          .append(esc(s.name()))
          .append("\" fill=\"none\" stroke=\"")
          .append(color)
          .append("\" stroke-width=\"1.5\" points=\"");
      for (TimelinePoint p : points) {
        double x = LEFT + plotW * p.t() / maxT;
        double y = TOP + plotH - plotH * finite(s.value().applyAsDouble(p)) / maxY;
        b.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      b.append("\"/>\n");
      int ly = TOP + 12 + si * 16;
      b.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                  LEFT + plotW + 10,
                  ly - 9,
                  color))
          .append(
              String.format(
                  Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"ax\">", LEFT + plotW + 24, ly))
          .append(esc(s.name()))
          .append("</text>\n");
    }
    if (points.isEmpty()) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" class=\"ax\">no data</text>\n",
              LEFT + plotW / 2 - 20,
              TOP + plotH / 2));
    }
    b.append("</svg>\n</figure>\n");
  }

  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double mag = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (v <= m * mag) {
        return m * mag;
      }
    }
    return 10 * mag;
  }

  private static double finite(double v) {
    return Double.isFinite(v) && v > 0 ? v : 0;
  }

  private static String axis(double v) {
    return v >= 100 || v == Math.rint(v) ? num(v, 0) : num(v, 2);
  }

  // ---- tables ----

  private interface Cells<V> {
    List<String> of(V value);
  }

  private static <V> void table(
      StringBuilder b, String id, List<String> headers, Map<String, V> rows, Cells<V> cells) {
    b.append("<table id=\"").append(id).append("\">\n<tr>");
    for (String h : headers) {
      b.append("<th>").append(esc(h)).append("</th>");
    }
    b.append("</tr>\n");
    if (rows.isEmpty()) {
      b.append("<tr><td colspan=\"").append(headers.size()).append("\">none</td></tr>\n");
    }
    for (Map.Entry<String, V> e : rows.entrySet()) {
      List<String> row = new ArrayList<>();
      row.add(e.getKey());
      row.addAll(cells.of(e.getValue()));
      row(b, row);
    }
    b.append("</table>\n");
  }

  private static void row(StringBuilder b, List<String> cells) {
    b.append("<tr>");
    for (String c : cells) {
      cell(b, c);
    }
    b.append("</tr>\n");
  }

  private static void cell(StringBuilder b, String text) {
    b.append("<td>").append(esc(text)).append("</td>");
  }

  private static void kv(StringBuilder b, String key, String value) {
    b.append("<tr><th>")
        .append(esc(key))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>\n");
  }

  // ---- formatting ----

  /** Escapes text for element content and attribute values; drops characters XML forbids. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
            b.append('?');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }

  private static String ms(double v) {
    return num(v, v >= 100 ? 0 : 1) + " ms";
  }

  private static String ms3(Latency l) {
    if (l.count() == 0) {
      return "no samples";
    }
    return num(l.p50(), 1)
        + " / "
        + num(l.p95(), 1)
        + " / "
        + num(l.p99(), 1)
        + " ms ("
        + l.count()
        + ")";
  }

  private static String pct(double ratio) {
    return num(ratio * 100, 3) + " %";
  }

  private static String mb(long bytes) {
    return num(bytes / 1e6, 1);
  }

  private static String num(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  private static final String CSS =
      "body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}\n"
          + "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
          + "table{border-collapse:collapse;margin:8px 0;font-size:13px}\n"
          + "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}\n"
          + "th:first-child,td:first-child{text-align:left}\n"
          + "table.kv th{text-align:left;background:#f6f6f6}\n"
          + "tr.fail td{background:#fde2e2}tr.pass td{background:#e6f6e6}\n"
          + ".verdict{padding:8px 12px;font-weight:bold;border-radius:4px}\n"
          + ".pass{background:#e6f6e6}.fail{background:#fde2e2}.warn{background:#fff3cd}\n"
          + ".charts{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}\n"
          + "svg .grid{stroke:#e4e4e4}svg .ax{font-size:11px;fill:#555}"
          + "svg .ct{font-size:13px;font-weight:bold;fill:#222}\n";
}
