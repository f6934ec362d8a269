package dev.segmentrelay.dist.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A live HLS stream made from a short clip played in a loop, for {@code relay demo} on machines
 * without ffmpeg.
 *
 * <p>The stream behaves like a transcoder that started {@code window} segments before this object
 * was created: at any time the playlist names the newest {@code window} segments, and one more
 * segment appears every segment duration, read from the injected {@link Clock}. Segment {@code n}
 * is named {@code clip-n.ts} (names are never reused) and carries the bytes of clip segment {@code
 * n mod clipLength}. Each time the loop wraps, the first segment of the new loop is preceded by
 * {@code #EXT-X-DISCONTINUITY}, because its timestamps jump back to the start of the clip; a tag
 * that slides out of the window is counted in {@code #EXT-X-DISCONTINUITY-SEQUENCE}, as RFC 8216
 * requires.
 */
public final class LoopingClipSource {
  /** The file name of the live playlist. */
  public static final String PLAYLIST = "index.m3u8";

  /** The committed clip: see {@code demo-clip/README.md} for how it was made. */
  static final String CLIP_RESOURCE = "/demo-clip/segment-%d.ts";

  static final int CLIP_SEGMENTS = 3;
  static final Duration CLIP_SEGMENT_DURATION = Duration.ofSeconds(2);
  static final int DEFAULT_WINDOW = 5;

  private static final Pattern SEGMENT_NAME = Pattern.compile("clip-(\\d{1,18})\\.ts");

  private final List<byte[]> clip;
  private final Duration segmentDuration;
  private final int window;
  private final Clock clock;
  private final Instant startedAt;

  /**
   * @param clip the clip's segments, each {@code segmentDuration} long and starting with a key
   *     frame
   * @param window segments named by each playlist
   */
  public LoopingClipSource(List<byte[]> clip, Duration segmentDuration, int window, Clock clock) {
    if (clip.isEmpty()) {
      throw new IllegalArgumentException("the clip needs at least one segment");
    }
    if (segmentDuration.toMillis() < 1) {
      throw new IllegalArgumentException("segment duration must be at least 1 ms");
    }
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1 segment");
    }
    this.clip = clip.stream().map(byte[]::clone).toList();
    this.segmentDuration = segmentDuration;
    this.window = window;
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** The committed three-segment clip, starting now by {@code clock}. */
  public static LoopingClipSource fromResources(Clock clock) {
    List<byte[]> segments = new ArrayList<>();
    for (int i = 0; i < CLIP_SEGMENTS; i++) {
      String resource = String.format(Locale.ROOT, CLIP_RESOURCE, i);
      try (InputStream in = LoopingClipSource.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("demo clip resource " + resource + " is missing");
        }
        segments.add(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read demo clip resource " + resource, e);
      }
    }
    return new LoopingClipSource(segments, CLIP_SEGMENT_DURATION, DEFAULT_WINDOW, clock);
  }

  /** The live media playlist as it is now. */
  public String playlist() {
    long newest = newestSegment();
    long first = Math.max(0, newest - window + 1);
    long targetSeconds = (segmentDuration.toMillis() + 999) / 1000;
    StringBuilder m3u8 = new StringBuilder(64 + window * 48);
    m3u8.append("#EXTM3U\n")
        .append("#EXT-X-VERSION:3\n")
        .append("#EXT-X-TARGETDURATION:")
        .append(targetSeconds)
        .append('\n')
        .append("#EXT-X-MEDIA-SEQUENCE:")
        .append(first)
        .append('\n')
        .append("#EXT-X-DISCONTINUITY-SEQUENCE:")
        .append(first / clip.size())
        .append('\n');
    String extinf =
        String.format(Locale.ROOT, "#EXTINF:%.3f,%n", segmentDuration.toMillis() / 1000.0);
    for (long n = first; n <= newest; n++) {
      if (n != first && n % clip.size() == 0) {
        m3u8.append("#EXT-X-DISCONTINUITY\n");
      }
      m3u8.append(extinf).append("clip-").append(n).append(".ts\n");
    }
    return m3u8.toString();
  }

  /**
   * The bytes of a segment named by this or an earlier playlist; empty for names that are not
   * segments of this stream or that do not exist yet.
   */
  public Optional<byte[]> segment(String fileName) {
    Matcher m = SEGMENT_NAME.matcher(fileName);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    if (n > newestSegment()) {
      return Optional.empty();
    }
    return Optional.of(clip.get((int) (n % clip.size())).clone());
  }

  /** Duration of one segment, for clients that pace themselves. */
  public Duration segmentDuration() {
    return segmentDuration;
  }

  private long newestSegment() {
    long elapsed = Math.max(0, Duration.between(startedAt, clock.instant()).toMillis());
    return window - 1 + elapsed / segmentDuration.toMillis();
  }
}
