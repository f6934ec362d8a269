package dev.segmentrelay.origin.archive;

import dev.segmentrelay.common.s3.S3Settings;
import dev.segmentrelay.common.s3.S3Store;
import java.time.Duration;
import java.util.Objects;

/**
 * The origin archive (issue 6): every published HLS segment, init segment and stream state written
 * through to S3, for DVR, replay as VOD and restarts.
 *
 * @param s3 where the archive lives (objects under {@code archive/{stream}/} below the key prefix)
 * @param required refuse to start when the bucket is not usable; otherwise the archive starts off
 *     with a warning and switches on when S3 answers
 * @param dvrWindow how far back the live media playlist reaches (segments older than the memory
 *     window are served from S3); zero offers only the usual live window
 * @param storeOptions tuning of the S3 client (threads, queue, availability probe back-off)
 */
public record ArchiveConfig(
    S3Settings s3, boolean required, Duration dvrWindow, S3Store.Options storeOptions) {
  public static final Duration DEFAULT_DVR_WINDOW = Duration.ofMinutes(30);

  public ArchiveConfig {
    Objects.requireNonNull(s3, "archive S3 settings are required");
    Objects.requireNonNull(storeOptions, "archive S3 store options are required");
    if (dvrWindow == null || dvrWindow.isNegative()) {
      throw new IllegalArgumentException(
          "dvr-window " + dvrWindow + " must be zero or positive (e.g. 30m)");
    }
    if (dvrWindow.compareTo(Duration.ofHours(24)) > 0) {
      throw new IllegalArgumentException(
          "dvr-window "
              + dvrWindow
              + " is longer than 24 h: a live playlist that long is unusable");
    }
  }

  /** An archive on {@code s3} with the default DVR window and S3 client options. */
  public static ArchiveConfig of(S3Settings s3, boolean required) {
    return new ArchiveConfig(s3, required, DEFAULT_DVR_WINDOW, S3Store.Options.defaults());
  }

  public ArchiveConfig withDvrWindow(Duration window) {
    return new ArchiveConfig(s3, required, window, storeOptions);
  }

  public ArchiveConfig withStoreOptions(S3Store.Options options) {
    return new ArchiveConfig(s3, required, dvrWindow, options);
  }
}
