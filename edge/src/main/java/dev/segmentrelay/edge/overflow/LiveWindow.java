package dev.segmentrelay.edge.overflow;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.segmentrelay.common.media.ObjectKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which segments are in the live window, from what this edge has seen, so that a fresh live segment
 * never waits for an S3 round trip.
 *
 * <p><b>The rule.</b> Every media playlist (and MPD) the edge fetches records, for each directory
 * of the segments it names, the set of paths it lists and, per <i>name stem</i> (the file name with
 * its trailing number taken out, e.g. {@code seg_.ts} of {@code seg_42.ts}), the lowest number it
 * lists: the start of the live window. A segment that misses memory is then
 *
 * <ul>
 *   <li>{@link Position#LIVE} when the newest window of its directory lists it, or its stem is
 *       known and its number is at or after the window's start (listed, or newer than the playlist
 *       we have): it goes straight upstream, no S3 request;
 *   <li>{@link Position#OLD} when its stem is known and its number is below the window's start: it
 *       left the live window, so S3 is asked first;
 *   <li>{@link Position#UNKNOWN} otherwise (no playlist of its directory seen here, or a name
 *       without a number, or a new stem such as a new ingest epoch): the caller asks S3 only if the
 *       segment is known to be there (this edge wrote or read it), else goes upstream.
 * </ul>
 *
 * A new ingest epoch gets a new stem (the epoch is in the name), so its low numbers are never taken
 * for old segments of the previous epoch. Only the newest document per playlist path counts; a
 * directory's windows are forgotten {@link #FORGET_AFTER} after its last playlist update.
 *
 * <p><b>Concurrency.</b> Updates build an immutable {@link Window} and swap it in a concurrent map
 * (one per playlist path), lookups read without locks. Updates run on the event loop that stored
 * the playlist; a playlist of a few hundred lines costs microseconds, once per refresh.
 */
final class LiveWindow {
  static final Duration FORGET_AFTER = Duration.ofMinutes(10);
  private static final Pattern NUMBERED = Pattern.compile("^(.*?)(\\d{1,18})(\\.[A-Za-z0-9]+)$");
  private static final URI BASE = URI.create("http://edge/");

  enum Position {
    LIVE,
    OLD,
    UNKNOWN
  }

  /** What one playlist lists in one directory. */
  record Window(Set<String> listed, Map<String, Long> firstByStem) {}

  /** Directory → (playlist path → its newest window for that directory). */
  private final Cache<String, Map<String, Window>> byDirectory;

  LiveWindow(Ticker ticker) {
    this.byDirectory =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(FORGET_AFTER)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  /** Records the window of a playlist or MPD stored at {@code urlPath}. */
  void update(String urlPath, ObjectKind kind, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    Set<String> paths =
        kind == ObjectKind.PLAYLIST ? hlsSegments(urlPath, text) : dashSegments(urlPath, text);
    if (paths.isEmpty()) {
      return; // a master playlist, or nothing we understand
    }
    Map<String, Set<String>> listedByDir = new HashMap<>();
    Map<String, Map<String, Long>> firstByDir = new HashMap<>();
    for (String p : paths) {
      String dir = directory(p);
      listedByDir.computeIfAbsent(dir, d -> new HashSet<>()).add(p);
      Matcher m = NUMBERED.matcher(p);
      if (m.matches()) {
        firstByDir
            .computeIfAbsent(dir, d -> new HashMap<>())
            .merge(m.group(1) + m.group(3), Long.parseLong(m.group(2)), Math::min);
      }
    }
    listedByDir.forEach(
        (dir, listed) ->
            byDirectory
                .asMap()
                .compute(
                    dir,
                    (d, old) -> {
                      Map<String, Window> next =
                          old == null ? new ConcurrentHashMap<>() : new ConcurrentHashMap<>(old);
                      next.put(
                          urlPath,
                          new Window(
                              Set.copyOf(listed),
                              Map.copyOf(firstByDir.getOrDefault(d, Map.of()))));
                      return next;
                    }));
  }

  /** Where the segment at {@code urlPath} stands relative to the live windows seen here. */
  Position position(String urlPath) {
    Map<String, Window> windows = byDirectory.getIfPresent(directory(urlPath));
    if (windows == null) {
      return Position.UNKNOWN;
    }
    Matcher m = NUMBERED.matcher(urlPath);
    String stem = m.matches() ? m.group(1) + m.group(3) : null;
    Position result = Position.UNKNOWN;
    for (Window w : windows.values()) {
      if (w.listed().contains(urlPath)) {
        return Position.LIVE;
      }
      Long first = stem == null ? null : w.firstByStem().get(stem);
      if (first != null) {
        if (Long.parseLong(m.group(2)) >= first) {
          return Position.LIVE;
        }
        result = Position.OLD;
      }
    }
    return result;
  }

  private static String directory(String urlPath) {
    return urlPath.substring(0, urlPath.lastIndexOf('/') + 1);
  }

  /** URL paths of the media segments (and init sections) a media playlist names. */
  static Set<String> hlsSegments(String playlistPath, String text) {
    URI base = BASE.resolve(playlistPath.substring(1));
    Set<String> out = new HashSet<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String path = resolve(base, line);
      if (path != null && !path.endsWith(".m3u8")) {
        out.add(path);
      }
    }
    return out;
  }

  private static final Pattern DASH_MEDIA = Pattern.compile("media=\"([^\"]+)\"");
  private static final Pattern DASH_START = Pattern.compile("startNumber=\"(\\d+)\"");

  /**
   * For an MPD: the {@code $Number$} template of each SegmentTemplate with its {@code startNumber}
   * counts as the window's first segment (the origin rewrites {@code startNumber} as the window
   * slides); {@code $Time$} templates and SegmentList are left {@link Position#UNKNOWN}.
   */
  static Set<String> dashSegments(String mpdPath, String text) {
    URI base = BASE.resolve(mpdPath.substring(1));
    Set<String> out = new HashSet<>();
    Matcher media = DASH_MEDIA.matcher(text);
    while (media.find()) {
      String template = media.group(1);
      if (!template.contains("$Number$") || template.contains("$RepresentationID$")) {
        continue;
      }
      int from = Math.max(0, media.start() - 400);
      int to = Math.min(text.length(), media.end() + 400);
      Matcher start = DASH_START.matcher(text.substring(from, to));
      long first = start.find() ? Long.parseLong(start.group(1)) : 1;
      String path = resolve(base, template.replace("$Number$", Long.toString(first)));
      if (path != null) {
        out.add(path);
      }
    }
    return out;
  }

  private static String resolve(URI base, String reference) {
    try {
      URI u = base.resolve(reference.replace("&amp;", "&"));
      String path = u.getPath();
      return path != null && path.startsWith("/live/") ? path : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
