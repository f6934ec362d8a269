package dev.segmentrelay.origin.hls;

import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.InitSection;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The media playlist of a rendition whose every segment is remembered (archive on): a live window
 * reaching back over the DVR window, or, once the source ended, the whole presentation as VOD. Pure
 * functions, so the window rules are unit-tested without a network.
 */
final class HlsWindow {
  private HlsWindow() {}

  /**
   * Index of the first segment the playlist should name: 0 once ended (the whole stream as VOD),
   * otherwise the oldest segment within {@code dvr} of the newest one's end, but at least {@code
   * minSegments} from the end.
   */
  static int desiredStart(
      List<PublishedSegment> all, int minSegments, Duration dvr, boolean ended) {
    if (ended) {
      return 0;
    }
    double dvrSeconds = dvr.toMillis() / 1000.0;
    int i = all.size();
    double covered = 0;
    while (i > 0 && (all.size() - i < minSegments || covered < dvrSeconds)) {
      i--;
      covered += all.get(i).duration();
    }
    return i;
  }

  /**
   * Index of the first segment actually named: walking back from the newest segment, the longest
   * run down to {@code desired} in which every segment (and its init segment) is available (in
   * memory or in the archive). Consistent publishing: a playlist never names a missing object.
   */
  static int availableStart(List<PublishedSegment> all, int desired, Predicate<String> available) {
    int start = all.size();
    while (start > desired) {
      PublishedSegment s = all.get(start - 1);
      if (!available.test(s.path()) || s.initPath().map(i -> !available.test(i)).orElse(false)) {
        break;
      }
      start--;
    }
    return start;
  }

  /**
   * The playlist naming {@code all[start..]}, URIs relative to {@code dir}. Its discontinuity
   * sequence counts every discontinuity up to and including the first named segment (whose own tag
   * is implied). Ended with the whole stream named: {@code EXT-X-PLAYLIST-TYPE:VOD} and {@code
   * EXT-X-ENDLIST}.
   */
  static MediaPlaylist render(
      List<PublishedSegment> all,
      int start,
      String dir,
      long targetDuration,
      int version,
      boolean ended) {
    if (start >= all.size()) {
      throw new IllegalArgumentException(
          "window start " + start + " is past the last of " + all.size() + " segments");
    }
    long discontinuities = 0;
    for (int i = 0; i <= start; i++) {
      if (all.get(i).discontinuity()) {
        discontinuities++;
      }
    }
    List<HlsSegment> segments = new ArrayList<>(all.size() - start);
    long maxDuration = 0;
    boolean fmp4 = false;
    for (int i = start; i < all.size(); i++) {
      PublishedSegment s = all.get(i);
      maxDuration = Math.max(maxDuration, Math.round(s.duration()));
      fmp4 |= s.initPath().isPresent();
      segments.add(
          new HlsSegment(
              s.path().substring(dir.length()),
              s.duration(),
              "",
              Optional.empty(),
              s.discontinuity() && i > start,
              s.initPath().map(p -> new InitSection(p.substring(dir.length()), Optional.empty())),
              s.programDateTime()));
    }
    return new MediaPlaylist(
        Math.max(version, fmp4 ? 6 : 3),
        Math.max(targetDuration, Math.max(1, maxDuration)),
        all.get(start).sequence(),
        discontinuities,
        ended,
        ended && start == 0 ? Optional.of("VOD") : Optional.empty(),
        false,
        segments);
  }
}
