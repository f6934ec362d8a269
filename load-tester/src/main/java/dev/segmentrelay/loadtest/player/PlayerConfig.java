package dev.segmentrelay.loadtest.player;

import java.util.OptionalInt;

/**
 * How a virtual viewer plays. Validated once here; {@link #defaults()} is a reasonable hls.js-like
 * player. The request timeout is the {@link Fetcher}'s, not the player's.
 *
 * @param fixedRendition play this rendition only (index in ascending-bandwidth order, 0 = lowest;
 *     clamped to the highest the stream has), or empty for throughput-based ABR
 * @param startRendition the rendition ABR starts with, before it has a throughput sample (index in
 *     ascending-bandwidth order, clamped)
 * @param abrSafetyFactor ABR picks the highest bandwidth at most this fraction of the estimate
 *     (0..1]
 * @param startBufferSeconds media buffered before playback starts (first start)
 * @param resumeBufferSeconds media buffered before playback resumes after a stall
 * @param maxBufferSeconds the player stops downloading ahead when it holds this much
 * @param hlsLiveStartTargetDurations HLS live start: at least this many target durations from the
 *     end of the playlist (RFC 8216 6.3.3 says at least 3)
 * @param dashLiveStartSegments DASH live start when the MPD has no {@code
 *     suggestedPresentationDelay}: this many segments from the live edge
 * @param staleReloads a live playlist unchanged for this many reloads in a row is a {@code
 *     STALE_PLAYLIST} error (and every further unchanged reload too)
 * @param segmentRetries a failed segment (or init segment) is retried this many times, then skipped
 * @param maxConsecutiveFailures the viewer gives up ({@code ended(true)}) after this many failed
 *     requests in a row (steering requests not counted)
 * @param retryDelayMillis first back-off before a retry; doubles per attempt
 * @param maxRetryDelayMillis back-off cap
 * @param pathwayPenaltyMillis a content-steering pathway that failed is avoided this long
 */
public record PlayerConfig(
    OptionalInt fixedRendition,
    int startRendition,
    double abrSafetyFactor,
    double startBufferSeconds,
    double resumeBufferSeconds,
    double maxBufferSeconds,
    double hlsLiveStartTargetDurations,
    int dashLiveStartSegments,
    int staleReloads,
    int segmentRetries,
    int maxConsecutiveFailures,
    long retryDelayMillis,
    long maxRetryDelayMillis,
    long pathwayPenaltyMillis) {

  public PlayerConfig {
    if (fixedRendition == null) {
      throw new IllegalArgumentException(
          "fixedRendition must be given (OptionalInt.empty() = ABR)");
    }
    if (fixedRendition.isPresent() && fixedRendition.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "fixed rendition must be 0 (lowest) or more, was " + fixedRendition.getAsInt());
    }
    require(startRendition >= 0, "start rendition must be 0 (lowest) or more", startRendition);
    require(
        abrSafetyFactor > 0 && abrSafetyFactor <= 1,
        "ABR safety factor must be in (0, 1], e.g. 0.8",
        abrSafetyFactor);
    require(startBufferSeconds > 0, "start buffer must be positive seconds", startBufferSeconds);
    require(resumeBufferSeconds > 0, "resume buffer must be positive seconds", resumeBufferSeconds);
    require(
        maxBufferSeconds >= Math.max(startBufferSeconds, resumeBufferSeconds),
        "max buffer must be at least the start and resume buffers",
        maxBufferSeconds);
    require(
        hlsLiveStartTargetDurations >= 0,
        "HLS live start must be 0 or more target durations (RFC 8216 says at least 3)",
        hlsLiveStartTargetDurations);
    require(
        dashLiveStartSegments >= 1,
        "DASH live start must be 1 or more segments",
        dashLiveStartSegments);
    require(staleReloads >= 1, "stale reloads must be 1 or more", staleReloads);
    require(segmentRetries >= 0, "segment retries must be 0 or more", segmentRetries);
    require(
        maxConsecutiveFailures >= 1,
        "max consecutive failures must be 1 or more",
        maxConsecutiveFailures);
    require(retryDelayMillis >= 0, "retry delay must be 0 or more ms", retryDelayMillis);
    require(
        maxRetryDelayMillis >= retryDelayMillis,
        "max retry delay must be at least the retry delay",
        maxRetryDelayMillis);
    require(
        pathwayPenaltyMillis >= 0, "pathway penalty must be 0 or more ms", pathwayPenaltyMillis);
  }

  /**
   * ABR from the lowest rendition with a 0.8 safety factor; start after 2 s of media, resume after
   * 2 s; hold at most 30 s; HLS start 3 target durations from the end; DASH 3 segments; stale after
   * 8 unchanged reloads; 2 segment retries; give up after 10 failures in a row; back-off 500 ms
   * doubling to 4 s; a failed pathway avoided for 5 minutes (as hls.js).
   */
  public static PlayerConfig defaults() {
    return new PlayerConfig(
        OptionalInt.empty(), 0, 0.8, 2.0, 2.0, 30.0, 3.0, 3, 8, 2, 10, 500, 4000, 300_000);
  }

  /** This config playing one rendition only. */
  public PlayerConfig withFixedRendition(int index) {
    return new PlayerConfig(
        OptionalInt.of(index),
        startRendition,
        abrSafetyFactor,
        startBufferSeconds,
        resumeBufferSeconds,
        maxBufferSeconds,
        hlsLiveStartTargetDurations,
        dashLiveStartSegments,
        staleReloads,
        segmentRetries,
        maxConsecutiveFailures,
        retryDelayMillis,
        maxRetryDelayMillis,
        pathwayPenaltyMillis);
  }

  /** This config with ABR starting at {@code index}. */
  public PlayerConfig withStartRendition(int index) {
    return new PlayerConfig(
        OptionalInt.empty(),
        index,
        abrSafetyFactor,
        startBufferSeconds,
        resumeBufferSeconds,
        maxBufferSeconds,
        hlsLiveStartTargetDurations,
        dashLiveStartSegments,
        staleReloads,
        segmentRetries,
        maxConsecutiveFailures,
        retryDelayMillis,
        maxRetryDelayMillis,
        pathwayPenaltyMillis);
  }

  /** Back-off before retry number {@code attempt} (1 = first retry). */
  long retryDelay(int attempt) {
    long delay = retryDelayMillis;
    for (int i = 1; i < attempt && delay < maxRetryDelayMillis; i++) {
      delay *= 2;
    }
    return Math.min(delay, maxRetryDelayMillis);
  }

  private static void require(boolean ok, String message, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(message + ", was " + value);
    }
  }
}
