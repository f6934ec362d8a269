package dev.segmentrelay.edge.upstream;

/** Why an upstream fetch failed, phrased for a log line and a 502/504 body. */
public final class UpstreamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, for metrics ({@code relay_edge_upstream_errors_total{cause}}). */
  public enum Cause {
    CONNECT,
    FIRST_BYTE_TIMEOUT,
    IDLE_TIMEOUT,
    RESET,
    STATUS_5XX,
    TRUNCATED,
    CIRCUIT_OPEN,
    OTHER
  }

  private final Cause cause;
  private final boolean timeout;

  public UpstreamException(Cause cause, String message) {
    super(message);
    this.cause = cause;
    this.timeout = cause == Cause.FIRST_BYTE_TIMEOUT || cause == Cause.IDLE_TIMEOUT;
  }

  public Cause cause() {
    return cause;
  }

  /** True when the failure was a timeout (answered 504 rather than 502). */
  public boolean timeout() {
    return timeout;
  }
}
