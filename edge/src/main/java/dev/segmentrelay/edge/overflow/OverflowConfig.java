package dev.segmentrelay.edge.overflow;

import dev.segmentrelay.common.s3.S3Settings;
import dev.segmentrelay.common.s3.S3Store;
import java.time.Duration;

/**
 * The edge's S3 overflow tier: where it lives and how much it may keep.
 *
 * <p>Key layout: a segment {@code /live/{stream}/{path}} is stored under {@code
 * {s3.keyPrefix}segments/{stream}/{path}} (see {@link #KEY_ROOT}). Keys name the media path, not
 * the edge, so every edge of a site pointed at the same bucket and prefix reads what any of them
 * wrote; segments are immutable, so two edges writing the same key at once is harmless.
 *
 * @param s3 endpoint, bucket, credentials, key prefix (one prefix per site when sites share a
 *     bucket)
 * @param required true: the edge refuses to start when the bucket is unusable; false: it starts
 *     with the tier off (one WARN) and switches it on when S3 answers
 * @param createBucket create a missing bucket at start (the embedded default); false in production
 * @param writeQueueCapacity evicted segments waiting to be written; more are dropped and counted
 * @param writerThreads threads copying evicted bodies out and writing them
 * @param lookupTimeout longest a viewer's miss waits for S3 before it goes upstream instead
 * @param maxAge objects older than this are deleted by the sweeper
 * @param maxBytes the sweeper deletes the oldest objects beyond this many bytes under the prefix
 * @param sweepInterval how often the sweeper lists the prefix
 * @param storeOptions threads, queue and outage detection of the S3 client
 */
public record OverflowConfig(
    S3Settings s3,
    boolean required,
    boolean createBucket,
    int writeQueueCapacity,
    int writerThreads,
    Duration lookupTimeout,
    Duration maxAge,
    long maxBytes,
    Duration sweepInterval,
    S3Store.Options storeOptions) {
  /** Where segments live under the store's key prefix. */
  public static final String KEY_ROOT = "segments/";

  public static final int DEFAULT_WRITE_QUEUE_CAPACITY = 256;
  public static final int DEFAULT_WRITER_THREADS = 2;
  public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024 * 1024;
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(5);

  public OverflowConfig {
    require(s3 != null, "the overflow tier needs S3 settings (--s3-endpoint, --s3-bucket)");
    require(
        writeQueueCapacity >= 1 && writeQueueCapacity <= 100_000,
        "overflow write queue capacity must be 1..100000, was " + writeQueueCapacity);
    require(
        writerThreads >= 1 && writerThreads <= 16,
        "overflow writer threads must be 1..16, was " + writerThreads);
    requirePositive(lookupTimeout, "overflow lookup timeout");
    requirePositive(maxAge, "overflow max age");
    requirePositive(sweepInterval, "overflow sweep interval");
    require(maxBytes >= 1024 * 1024, "overflow max bytes must be at least 1m, was " + maxBytes);
    require(storeOptions != null, "S3 store options must be given (S3Store.Options.defaults())");
  }

  /** An optional tier on {@code s3} with the defaults above. */
  public static OverflowConfig defaults(S3Settings s3) {
    return new OverflowConfig(
        s3,
        false,
        false,
        DEFAULT_WRITE_QUEUE_CAPACITY,
        DEFAULT_WRITER_THREADS,
        DEFAULT_LOOKUP_TIMEOUT,
        DEFAULT_MAX_AGE,
        DEFAULT_MAX_BYTES,
        DEFAULT_SWEEP_INTERVAL,
        S3Store.Options.defaults());
  }

  public OverflowConfig withRequired(boolean value) {
    return new OverflowConfig(
        s3,
        value,
        createBucket,
        writeQueueCapacity,
        writerThreads,
        lookupTimeout,
        maxAge,
        maxBytes,
        sweepInterval,
        storeOptions);
  }

  public OverflowConfig withCreateBucket(boolean value) {
    return new OverflowConfig(
        s3,
        required,
        value,
        writeQueueCapacity,
        writerThreads,
        lookupTimeout,
        maxAge,
        maxBytes,
        sweepInterval,
        storeOptions);
  }

  public OverflowConfig withWriteQueueCapacity(int capacity) {
    return new OverflowConfig(
        s3,
        required,
        createBucket,
        capacity,
        writerThreads,
        lookupTimeout,
        maxAge,
        maxBytes,
        sweepInterval,
        storeOptions);
  }

  public OverflowConfig withRetention(Duration age, long bytes, Duration interval) {
    return new OverflowConfig(
        s3,
        required,
        createBucket,
        writeQueueCapacity,
        writerThreads,
        lookupTimeout,
        age,
        bytes,
        interval,
        storeOptions);
  }

  public OverflowConfig withStoreOptions(S3Store.Options options) {
    return new OverflowConfig(
        s3,
        required,
        createBucket,
        writeQueueCapacity,
        writerThreads,
        lookupTimeout,
        maxAge,
        maxBytes,
        sweepInterval,
        options);
  }

  /** The S3 key (relative to the store's prefix) of the object at URL path {@code urlPath}. */
  public static String keyOf(String urlPath) {
    return KEY_ROOT + urlPath.substring("/live/".length());
  }

  private static void requirePositive(Duration d, String what) {
    require(d != null && !d.isNegative() && !d.isZero(), what + " must be positive, was " + d);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
