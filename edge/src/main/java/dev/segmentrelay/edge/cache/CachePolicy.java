package dev.segmentrelay.edge.cache;

import dev.segmentrelay.common.media.ObjectKind;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an upstream answer may be served from cache, per DESIGN.md's cache rules:
 *
 * <ul>
 *   <li>segments and init segments are immutable: cached until evicted;
 *   <li>playlists and MPDs live at most half a target duration, or the upstream's {@code max-age}
 *       when that is shorter ({@code no-store}/{@code max-age=0}: not cached at all, though
 *       concurrent requests are still coalesced);
 *   <li>404 and 410 are cached for the negative TTL (about a second), so a viewer asking for a
 *       segment a moment early does not hammer the upstream.
 * </ul>
 */
public final class CachePolicy {
  /** Used when a playlist names no target duration and the upstream sends no max-age. */
  static final Duration DEFAULT_LIVE_TTL = Duration.ofSeconds(1);

  /** Marks "cached until evicted". */
  public static final long FOREVER = Long.MAX_VALUE;

  private static final Pattern MAX_AGE =
      Pattern.compile("(?:^|[,\\s])(?:s-maxage|max-age)\\s*=\\s*\"?(\\d+)");
  private static final Pattern TARGET_DURATION =
      Pattern.compile("#EXT-X-TARGETDURATION:\\s*(\\d+)");
  private static final Pattern MIN_UPDATE_PERIOD =
      Pattern.compile("minimumUpdatePeriod=\"PT(\\d+(?:\\.\\d+)?)S\"");

  private final long negativeTtlNanos;

  public CachePolicy(Duration negativeTtl) {
    this.negativeTtlNanos = negativeTtl.toNanos();
  }

  /**
   * Time to live in nanoseconds of a complete upstream answer, {@link #FOREVER} for immutable
   * objects, 0 for "do not cache".
   */
  public long ttlNanos(ObjectKind kind, int status, Optional<String> cacheControl, Buffer body) {
    if (status == 404 || status == 410) {
      return negativeTtlNanos;
    }
    if (status != 200) {
      return 0;
    }
    OptionalLong upstreamMaxAge = maxAgeSeconds(cacheControl);
    if (!kind.isLive()) {
      return FOREVER;
    }
    if (cacheControl.map(c -> c.toLowerCase(Locale.ROOT).contains("no-store")).orElse(false)) {
      return 0;
    }
    long halfTarget = halfUpdateIntervalNanos(kind, body);
    if (upstreamMaxAge.isPresent()) {
      return Math.min(Duration.ofSeconds(upstreamMaxAge.getAsLong()).toNanos(), halfTarget);
    }
    return halfTarget;
  }

  static OptionalLong maxAgeSeconds(Optional<String> cacheControl) {
    if (cacheControl.isEmpty()) {
      return OptionalLong.empty();
    }
    Matcher m = MAX_AGE.matcher(cacheControl.get().toLowerCase(Locale.ROOT));
    long min = Long.MAX_VALUE;
    while (m.find()) {
      try {
        min = Math.min(min, Long.parseLong(m.group(1)));
      } catch (NumberFormatException e) {
        min = Math.min(min, 0);
      }
    }
    return min == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(min);
  }

  /** Half the playlist's target duration (or the MPD's minimum update period). */
  private static long halfUpdateIntervalNanos(ObjectKind kind, Buffer body) {
    // Only the head of the document is read: the tag sits near the top.
    int n = Math.min(body.length(), 4096);
    String head = body.getString(0, n, StandardCharsets.ISO_8859_1.name());
    Matcher m = (kind == ObjectKind.PLAYLIST ? TARGET_DURATION : MIN_UPDATE_PERIOD).matcher(head);
    if (m.find()) {
      double seconds = Double.parseDouble(m.group(1));
      if (seconds > 0) {
        return (long) (seconds * 1e9 / 2);
      }
    }
    return DEFAULT_LIVE_TTL.toNanos();
  }
}
