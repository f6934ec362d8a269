package dev.segmentrelay.common.s3;

/**
 * A failed S3 call, classified. {@link Kind#outage()} says whether the failure means that S3 itself
 * is unusable (unreachable, slow, 5xx, 403, bucket gone), which is what {@link S3Availability}
 * counts; {@link Kind#label()} is the {@code result} tag of {@code relay_s3_requests_total}.
 */
public final class S3StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, from the caller's point of view. */
  public enum Kind {
    /** The endpoint refused or dropped the connection, or its host is unknown. */
    CONNECT("connect", true),
    /** No answer within the connect or call timeout. */
    TIMEOUT("timeout", true),
    /** The server answered 5xx. */
    SERVER("5xx", true),
    /** The server answered 403: bad credentials or no permission on the bucket. */
    FORBIDDEN("403", true),
    /** The bucket does not exist. */
    NO_BUCKET("no_bucket", true),
    /** An I/O error while talking to S3 (connection reset mid-body and the like). */
    IO("io", true),
    /** Another 4xx answer: a bug in the request rather than an outage. */
    CLIENT("4xx", false),
    /** The object came back shorter than announced or with a checksum mismatch. */
    INCOMPLETE("incomplete", false),
    /** Not attempted: S3 is marked down and is being probed in the background. */
    UNAVAILABLE("skipped", false),
    /** Not attempted: the store's queue of waiting calls is full. */
    BUSY("busy", false),
    /** Anything else. */
    OTHER("error", false);

    private final String label;
    private final boolean outage;

    Kind(String label, boolean outage) {
      this.label = label;
      this.outage = outage;
    }

    public String label() {
      return label;
    }

    public boolean outage() {
      return outage;
    }
  }

  private final Kind kind;

  public S3StoreException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public S3StoreException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
