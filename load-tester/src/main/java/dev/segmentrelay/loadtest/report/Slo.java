package dev.segmentrelay.loadtest.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Service-level objectives a run must meet, as given to {@code --slo}: comma-separated clauses
 * {@code METRIC OP VALUE}, e.g. {@code stall_ratio<0.01,startup_p95<3s,errors<10}.
 *
 * <ul>
 *   <li>Ratios ({@code stall_ratio} alias {@code rebuffer_ratio}, {@code error_ratio}): a fraction
 *       or a percentage ({@code 0.01} or {@code 1%}).
 *   <li>Times ({@code startup_p50|p95|p99}, {@code segment_p50|p95|p99}): {@code ms}, {@code s} or
 *       {@code m}; a bare number is milliseconds.
 *   <li>Counts ({@code stalls}, {@code errors}, {@code viewers} = peak concurrent): plain numbers.
 * </ul>
 *
 * Operators: {@code < <= > >=}. A clause with no samples (no viewer started, no segment arrived,
 * nothing played, no request) fails: an empty run must not pass a rehearsal.
 */
public final class Slo {
  private static final Pattern CLAUSE =
      Pattern.compile(
          "([a-z][a-z0-9_]*)\\s*(<=|>=|<|>|==|=)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-z%]*)");

  private final String expression;
  private final List<Clause> clauses;

  private Slo(String expression, List<Clause> clauses) {
    this.expression = expression;
    this.clauses = List.copyOf(clauses);
  }

  /**
   * Parses an SLO expression.
   *
   * @throws IllegalArgumentException naming the bad clause and what is expected
   */
  public static Slo parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    if (expression.isBlank()) {
      throw new IllegalArgumentException(
          "SLO expression is empty: give clauses like 'stall_ratio<0.01,startup_p95<3s'");
    }
    List<Clause> clauses = new ArrayList<>();
    for (String raw : expression.split(",", -1)) {
      clauses.add(parseClause(raw.trim()));
    }
    return new Slo(expression.trim(), clauses);
  }

  private static Clause parseClause(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(
          "SLO has an empty clause (two commas, or a comma at an end): remove it");
    }
    Matcher m = CLAUSE.matcher(text.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "SLO clause '"
              + text
              + "' is not METRIC OP VALUE (e.g. startup_p95<3s); operators are < <= > >=; "
              + knownMetrics());
    }
    Metric metric = Metric.byName(m.group(1));
    if (metric == null) {
      throw new IllegalArgumentException(
          "SLO clause '" + text + "' names unknown metric '" + m.group(1) + "'; " + knownMetrics());
    }
    Op op =
        switch (m.group(2)) {
          case "<" -> Op.LT;
          case "<=" -> Op.LE;
          case ">" -> Op.GT;
          case ">=" -> Op.GE;
          default ->
              throw new IllegalArgumentException(
                  "SLO clause '" + text + "' uses '" + m.group(2) + "'; operators are < <= > >=");
        };
    double number = Double.parseDouble(m.group(3));
    String unit = m.group(4);
    double threshold = metric.type.threshold(number, unit, text, metric.name);
    return new Clause(text, metric.name, op.symbol, threshold);
  }

  private static String knownMetrics() {
    return "known metrics: "
        + Arrays.stream(Metric.values()).map(x -> x.name).collect(Collectors.joining(", "));
  }

  public String expression() {
    return expression;
  }

  public List<Clause> clauses() {
    return clauses;
  }

  /** Checks every clause against {@code summary}. */
  public Verdict evaluate(Summary summary) {
    List<Check> checks = new ArrayList<>();
    for (Clause c : clauses) {
      Metric metric = Metric.byName(c.metric());
      Double actual = metric.value.apply(summary);
      boolean passed;
      String note = "";
      if (actual == null) {
        passed = false;
        note = "no samples";
      } else {
        passed = Op.of(c.op()).test(actual, c.threshold());
      }
      checks.add(new Check(c, actual == null ? Double.NaN : actual, passed, note));
    }
    return new Verdict(expression, checks.stream().allMatch(Check::passed), checks);
  }

  /**
   * One parsed clause.
   *
   * @param text as written
   * @param metric canonical metric name ({@code rebuffer_ratio} becomes {@code stall_ratio})
   * @param op {@code <}, {@code <=}, {@code >} or {@code >=}
   * @param threshold in the metric's unit: milliseconds for times, a fraction for ratios
   */
  public record Clause(String text, String metric, String op, double threshold) {}

  /**
   * The outcome of one clause.
   *
   * @param actual the measured value in the clause's unit; NaN when there were no samples
   * @param note why it failed beyond the comparison, or empty
   */
  public record Check(Clause clause, double actual, boolean passed, String note) {}

  /** Every clause's outcome; {@code passed} only when all passed. */
  public record Verdict(String expression, boolean passed, List<Check> checks) {
    public Verdict {
      checks = List.copyOf(checks);
    }
  }

  private enum Op {
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }

    static Op of(String symbol) {
      for (Op op : values()) {
        if (op.symbol.equals(symbol)) {
          return op;
        }
      }
      throw new IllegalArgumentException("unknown operator " + symbol);
    }

    boolean test(double actual, double threshold) {
      return switch (this) {
        case LT -> actual < threshold;
        case LE -> actual <= threshold;
        case GT -> actual > threshold;
        case GE -> actual >= threshold;
      };
    }
  }

  private enum Type {
    RATIO,
    TIME,
    COUNT;

    double threshold(double number, String unit, String clause, String metric) {
      switch (this) {
        case RATIO:
          if (unit.isEmpty()) {
            return number;
          }
          if (unit.equals("%")) {
            return number / 100;
          }
          throw new IllegalArgumentException(
              "SLO clause '"
                  + clause
                  + "': "
                  + metric
                  + " is a ratio; write a fraction (0.01) or a percentage (1%), not '"
                  + unit
                  + "'");
        case TIME:
          switch (unit) {
            case "":
            case "ms":
              return number;
            case "s":
              return number * 1000;
            case "m":
              return number * 60_000;
            default:
              throw new IllegalArgumentException(
                  "SLO clause '"
                      + clause
                      + "': "
                      + metric
                      + " is a time; use ms, s or m (e.g. 500ms, 3s), not '"
                      + unit
                      + "'");
          }
        default:
          if (!unit.isEmpty()) {
            throw new IllegalArgumentException(
                "SLO clause '"
                    + clause
                    + "': "
                    + metric
                    + " is a count; write a plain number, not '"
                    + unit
                    + "'");
          }
          return number;
      }
    }
  }

  private enum Metric {
    STALL_RATIO("stall_ratio", Type.RATIO, Metric::rebuffer),
    REBUFFER_RATIO("rebuffer_ratio", Type.RATIO, Metric::rebuffer),
    STARTUP_P50("startup_p50", Type.TIME, s -> pct(s.all().startupMs(), 50)),
    STARTUP_P95("startup_p95", Type.TIME, s -> pct(s.all().startupMs(), 95)),
    STARTUP_P99("startup_p99", Type.TIME, s -> pct(s.all().startupMs(), 99)),
    SEGMENT_P50("segment_p50", Type.TIME, s -> pct(s.all().segmentMs(), 50)),
    SEGMENT_P95("segment_p95", Type.TIME, s -> pct(s.all().segmentMs(), 95)),
    SEGMENT_P99("segment_p99", Type.TIME, s -> pct(s.all().segmentMs(), 99)),
    STALLS("stalls", Type.COUNT, s -> (double) s.all().stalls()),
    ERRORS("errors", Type.COUNT, s -> (double) s.all().errors()),
    ERROR_RATIO(
        "error_ratio", Type.RATIO, s -> s.all().requests() == 0 ? null : s.all().errorRatio()),
    VIEWERS("viewers", Type.COUNT, s -> (double) s.all().peakViewers());

    final String name;
    final Type type;
    final Function<Summary, Double> value;

    Metric(String name, Type type, Function<Summary, Double> value) {
      this.name = name;
      this.type = type;
      this.value = value;
    }

    static Metric byName(String name) {
      for (Metric m : values()) {
        if (m.name.equals(name)) {
          return m == REBUFFER_RATIO ? STALL_RATIO : m;
        }
      }
      return null;
    }

    private static Double rebuffer(Summary s) {
      GroupSummary a = s.all();
      return a.playedSeconds() + a.stalledSeconds() <= 0 ? null : a.rebufferRatio();
    }

    private static Double pct(Latency l, int which) {
      return l.count() == 0 ? null : l.percentile(which);
    }
  }
}
