package dev.segmentrelay.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The {@code relay loadtest --out} JSON. The top-level keys {@code viewers} (peak concurrent),
 * {@code startup_ms} and {@code segment_ms} ({@code p50}, {@code p95}, {@code p99}, ...), {@code
 * stalls}, {@code rebuffer_ratio}, {@code requests}, {@code errors} and {@code bytes} are a stable
 * contract (DESIGN.md); the rest may grow. Times are milliseconds; {@code histograms} holds the
 * startup and segment HdrHistograms (values in microseconds, {@code
 * encodeIntoCompressedByteBuffer}, base64) so that runs can be merged and re-read.
 */
public final class JsonReport {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  /** Writes the report to {@code file}, replacing it. */
  public static void write(Summary summary, Optional<Slo.Verdict> slo, Path file)
      throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson(summary, slo));
  }

  /** The report as text. */
  public static String toJson(Summary summary, Optional<Slo.Verdict> slo) {
    try {
      return MAPPER.writeValueAsString(tree(summary, slo)) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise the results", e);
    }
  }

  /** The report as a tree. */
  public static ObjectNode tree(Summary s, Optional<Slo.Verdict> slo) {
    ObjectNode root = MAPPER.createObjectNode();
    GroupSummary a = s.all();
    root.put("viewers", a.peakViewers());
    root.set("startup_ms", latency(a.startupMs()));
    root.set("segment_ms", latency(a.segmentMs()));
    root.put("stalls", a.stalls());
    root.put("rebuffer_ratio", round(a.rebufferRatio(), 6));
    root.put("requests", a.requests());
    root.put("errors", a.errors());
    root.put("bytes", a.bytes());
    root.put("segments", a.segments());
    root.put("error_ratio", round(a.errorRatio(), 6));
    ObjectNode errorsByKind = root.putObject("errors_by_kind");
    s.errorsByKind().forEach(errorsByKind::put);
    ObjectNode kinds = root.putObject("requests_by_kind");
    s.requestsByKind()
        .forEach((k, c) -> kinds.putObject(k).put("ok", c.ok()).put("failed", c.failed()));
    ObjectNode stall = latency(a.stallMs());
    stall.put("total", round(a.stallMillis(), 3));
    root.set("stall_ms", stall);
    root.put("played_s", round(a.playedSeconds(), 3));
    root.put("stalled_s", round(a.stalledSeconds(), 3));
    root.put("switches", a.switches());
    root.put("edge_moves", a.edgeMoves());
    root.put("gave_up", a.gaveUp());
    root.put("duration_s", round(s.elapsedSeconds(), 3));

    ObjectNode regions = root.putObject("regions");
    s.regions().forEach((code, g) -> regions.set(code, viewerGroup(g)));
    ObjectNode edges = root.putObject("edges");
    s.edges().forEach((name, g) -> edges.set(name, requestGroup(g, true)));
    ObjectNode cache = root.putObject("cache");
    s.cache().forEach((name, g) -> cache.set(name, requestGroup(g, false)));

    ArrayNode timeline = root.putArray("timeline");
    for (TimelinePoint p : s.timeline()) {
      ObjectNode n = timeline.addObject();
      n.put("t", round(p.t(), 3));
      n.put("viewers", p.viewers());
      n.put("requests_per_s", round(p.requestsPerSecond(), 3));
      n.put("mbps", round(p.mbitPerSecond(), 3));
      n.put("segments", p.segmentMs().count());
      n.put("segment_p50", round(p.segmentMs().p50(), 3));
      n.put("segment_p95", round(p.segmentMs().p95(), 3));
      n.put("segment_p99", round(p.segmentMs().p99(), 3));
      n.put("stalls", p.stalls());
      n.put("errors", p.errors());
      n.put("cpu", round(p.cpuPercentOfOneCore(), 1));
      n.put("loop_lag_p99_ms", round(p.loopLagP99Millis(), 3));
    }

    ArrayNode drills = root.putArray("drills");
    for (DrillSummary d : s.drills()) {
      ObjectNode n = drills.addObject();
      n.put("name", d.name());
      n.put("at_s", round(d.atSeconds(), 3));
      n.put("affected", d.affected());
      n.put("recovered", d.recovered());
      n.put("unrecovered", d.unrecovered());
      ObjectNode r = n.putObject("recovery_ms");
      r.put("count", d.recoveryMs().count());
      r.put("p50", round(d.recoveryMs().p50(), 3));
      r.put("p95", round(d.recoveryMs().p95(), 3));
      r.put("max", round(d.recoveryMs().max(), 3));
      r.put("mean", round(d.recoveryMs().mean(), 3));
    }

    LoadTesterHealth h = s.loadTester();
    ObjectNode lt = root.putObject("load_tester");
    lt.putObject("cpu")
        .put("one_core_percent", round(h.cpuPercentOfOneCore(), 1))
        .put("machine_percent", round(h.cpuPercentOfMachine(), 1));
    lt.putObject("loop_lag_ms")
        .put("p99", round(h.loopLagP99Millis(), 3))
        .put("max", round(h.loopLagMaxMillis(), 3));
    lt.put("warning", h.bottleneck());
    if (h.bottleneck()) {
      lt.put("message", bottleneckMessage(h));
    }
    lt.put("heap_per_viewer_bytes", h.heapPerViewerBytes());

    if (slo.isPresent()) {
      Slo.Verdict v = slo.get();
      ObjectNode n = root.putObject("slo");
      n.put("expr", v.expression());
      n.put("passed", v.passed());
      ArrayNode checks = n.putArray("checks");
      for (Slo.Check c : v.checks()) {
        ObjectNode cn = checks.addObject();
        cn.put("clause", c.clause().text());
        cn.put("metric", c.clause().metric());
        cn.put("op", c.clause().op());
        cn.put("threshold", c.clause().threshold());
        if (Double.isNaN(c.actual())) {
          cn.putNull("actual");
        } else {
          cn.put("actual", round(c.actual(), 6));
        }
        cn.put("passed", c.passed());
        if (!c.note().isEmpty()) {
          cn.put("note", c.note());
        }
      }
    }

    if (s.run().isPresent()) {
      RunInfo r = s.run().get();
      ObjectNode n = root.putObject("run");
      n.put("url", r.url());
      n.put("viewers", r.viewers());
      n.put("duration_s", r.duration().toMillis() / 1000.0);
      n.put("profile", r.profile());
      ObjectNode rn = n.putObject("regions");
      r.regions().forEach(rn::put);
      n.put("start", r.start().toString());
      if (r.end().isPresent()) {
        n.put("end", r.end().get().toString());
      } else {
        n.putNull("end");
      }
    }

    ObjectNode hist = root.putObject("histograms");
    hist.put("unit", "us");
    hist.put("encoding", "HdrHistogram compressed, base64");
    hist.put("startup", encode(s.startupMicros()));
    hist.put("segment", encode(s.segmentMicros()));
    return root;
  }

  /** The sentence shown when the load tester was its own bottleneck. */
  static String bottleneckMessage(LoadTesterHealth h) {
    return String.format(
        java.util.Locale.ROOT,
        "the load tester was short of CPU or its event loops lagged (CPU %.0f%% of one core, "
            + "loop lag p99 %.1f ms, max %.1f ms): figures may understate what the network "
            + "serves; use fewer viewers per process or more load-tester machines",
        h.cpuPercentOfOneCore(),
        h.loopLagP99Millis(),
        h.loopLagMaxMillis());
  }

  /** Decodes a histogram written by this report. */
  public static Histogram decodeHistogram(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (java.util.zip.DataFormatException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a base64 compressed HdrHistogram: " + e, e);
    }
  }

  static String encode(Histogram h) {
    ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int length = h.encodeIntoCompressedByteBuffer(buf);
    byte[] bytes = new byte[length];
    buf.flip();
    buf.get(bytes, 0, length);
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static ObjectNode viewerGroup(GroupSummary g) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("viewers", g.peakViewers());
    n.set("startup_ms", latency(g.startupMs()));
    n.set("segment_ms", latency(g.segmentMs()));
    n.put("stalls", g.stalls());
    n.put("stall_ms", round(g.stallMillis(), 3));
    n.put("rebuffer_ratio", round(g.rebufferRatio(), 6));
    n.put("requests", g.requests());
    n.put("errors", g.errors());
    n.put("bytes", g.bytes());
    n.put("segments", g.segments());
    n.put("switches", g.switches());
    n.put("edge_moves", g.edgeMoves());
    n.put("gave_up", g.gaveUp());
    return n;
  }

  private static ObjectNode requestGroup(GroupSummary g, boolean withCache) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("requests", g.requests());
    n.put("errors", g.errors());
    n.put("bytes", g.bytes());
    n.put("segments", g.segments());
    n.set("segment_ms", latency(g.segmentMs()));
    if (withCache) {
      ObjectNode c = n.putObject("cache");
      for (Map.Entry<String, Long> e : g.cache().entrySet()) {
        c.put(e.getKey(), e.getValue());
      }
      n.put("hit_ratio", round(g.hitRatio(), 6));
    }
    return n;
  }

  private static ObjectNode latency(Latency l) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("p50", round(l.p50(), 3));
    n.put("p95", round(l.p95(), 3));
    n.put("p99", round(l.p99(), 3));
    n.put("max", round(l.max(), 3));
    n.put("mean", round(l.mean(), 3));
    n.put("count", l.count());
    return n;
  }

  static double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return 0;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
