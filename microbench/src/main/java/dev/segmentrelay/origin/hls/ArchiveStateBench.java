package dev.segmentrelay.origin.hls;

import dev.segmentrelay.origin.archive.StateLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Bytes and encode time of the HLS archive state per state write, for a stream that has published
 * 20,000 segments in each of 3 renditions (11 hours of 2-s segments): before, the single object
 * listing every segment (the format 1 layout: every rendition's list inline), and now, the head
 * ({@link StateLog}: sealed chunks named, the tail inline) plus the chunk objects, each written
 * once. The head is measured over a whole chunk cycle after the 20,000th segment (its size follows
 * the tail), so the figure holds at any age. Plain loops, bounded (about 20 s): 2 s warm-up, then 5
 * rounds; prints the median round. Lives in the origin's package to reach its package-private state
 * classes.
 *
 * <pre>
 * mvn -q -B -o -DskipTests package -pl common,geo-router,origin,microbench
 * java -cp microbench/target/microbench.jar dev.segmentrelay.origin.hls.ArchiveStateBench
 * </pre>
 */
public final class ArchiveStateBench {
  private static final int RENDITIONS = 3;
  private static final int SEGMENTS = 20_000;
  private static long sink;

  private ArchiveStateBench() {}

  public static void main(String[] args) {
    int chunkSize = args.length > 0 ? Integer.parseInt(args[0]) : StateLog.DEFAULT_CHUNK_SIZE;
    List<StateLog<PublishedSegment>> logs = new ArrayList<>();
    long chunkBytes = 0;
    int chunks = 0;
    for (int r = 0; r < RENDITIONS; r++) {
      logs.add(new StateLog<>(chunkSize, "ezz1a2b3c-" + r));
    }
    for (int seq = 0; seq < SEGMENTS; seq++) {
      for (int r = 0; r < RENDITIONS; r++) {
        logs.get(r).add(segment(r, seq));
        for (StateLog.Chunk<PublishedSegment> c : logs.get(r).takeSealed()) {
          chunkBytes += HlsArchiveState.SEGMENTS.encodeChunk(c).length;
          chunks++;
        }
      }
    }
    HlsArchiveState whole = state(logs, true);
    int wholeBytes = whole.encode().length;

    // One chunk cycle past 20,000: the head after every segment of every rendition.
    long headSum = 0;
    int headMax = 0;
    int heads = 0;
    for (int seq = SEGMENTS; seq < SEGMENTS + chunkSize; seq++) {
      for (int r = 0; r < RENDITIONS; r++) {
        logs.get(r).add(segment(r, seq));
        logs.get(r).takeSealed();
        int n = state(logs, false).encode().length;
        headSum += n;
        headMax = Math.max(headMax, n);
        heads++;
      }
    }
    HlsArchiveState fullTail = withTails(logs, chunkSize - 1);
    double headMean = (double) headSum / heads;
    double chunkMean = (double) chunkBytes / chunks;

    System.out.printf(
        Locale.ROOT,
        "%d renditions x %,d segments, chunk size %d, openjdk %s%n",
        RENDITIONS,
        SEGMENTS,
        chunkSize,
        System.getProperty("java.version"));
    System.out.printf(
        Locale.ROOT,
        "before: one object, %,d bytes per state write, encode %s%n",
        wholeBytes,
        time(whole));
    System.out.printf(
        Locale.ROOT,
        "after:  head mean %,.0f bytes, max %,d bytes (over %d writes of a chunk cycle)%n",
        headMean,
        headMax,
        heads);
    System.out.printf(
        Locale.ROOT,
        "        head with the fullest tails (%d each): encode %s%n",
        chunkSize - 1,
        time(fullTail));
    System.out.printf(
        Locale.ROOT,
        "        chunks: %,d written once, %,.0f bytes each; per segment write on average %,.0f"
            + " bytes (head mean + chunk / %d)%n",
        chunks,
        chunkMean,
        headMean + chunkMean / chunkSize,
        chunkSize);
    if (sink == 42) {
      System.out.println();
    }
  }

  /** A realistic segment: epoch-tagged path, program date time, 2.002 s, ~1.2 MB. */
  private static PublishedSegment segment(int rendition, long seq) {
    return new PublishedSegment(
        seq,
        "r" + rendition + "/ezz1a2b3c-" + seq + "-seg" + seq + ".ts",
        2.002,
        seq % 1000 == 0,
        Optional.empty(),
        Optional.of("2026-11-21T10:00:00.000Z"),
        1_200_000 + seq);
  }

  private static HlsArchiveState state(List<StateLog<PublishedSegment>> logs, boolean inline) {
    List<HlsArchiveState.RenditionState> rs = new ArrayList<>();
    for (int r = 0; r < logs.size(); r++) {
      StateLog<PublishedSegment> log = logs.get(r);
      rs.add(rendition(r, log.size(), inline ? List.copyOf(log) : log.snapshot()));
    }
    return new HlsArchiveState("master.m3u8", Optional.of("#EXTM3U\n"), "ezz1a2b3c", rs);
  }

  private static HlsArchiveState withTails(List<StateLog<PublishedSegment>> logs, int tail) {
    List<HlsArchiveState.RenditionState> rs = new ArrayList<>();
    for (int r = 0; r < logs.size(); r++) {
      StateLog<PublishedSegment> log = new StateLog<>(tail + 1, "ezz1a2b3c-t" + r);
      for (int i = 0; i < tail; i++) {
        log.add(segment(r, i));
      }
      rs.add(rendition(r, tail, log.snapshot()));
    }
    return new HlsArchiveState("master.m3u8", Optional.of("#EXTM3U\n"), "ezz1a2b3c", rs);
  }

  private static HlsArchiveState.RenditionState rendition(
      int r, long next, List<PublishedSegment> segments) {
    return new HlsArchiveState.RenditionState(
        "r" + r + "/index.m3u8",
        "http://transcoder.test/r" + r + "/index.m3u8",
        next,
        next - 1,
        "seg.ts",
        2,
        3,
        false,
        segments);
  }

  /** Median of 5 one-second rounds after a 2-s warm-up, per encode. */
  private static String time(HlsArchiveState state) {
    rounds(state, 2_000_000_000L);
    double[] perEncode = new double[5];
    for (int i = 0; i < perEncode.length; i++) {
      perEncode[i] = rounds(state, 1_000_000_000L);
    }
    Arrays.sort(perEncode);
    return String.format(
        Locale.ROOT,
        "%.3f ms (median of 5 rounds; best %.3f ms)",
        perEncode[2] / 1e6,
        perEncode[0] / 1e6);
  }

  /** Encodes for about {@code nanos}; returns nanoseconds per encode. */
  private static double rounds(HlsArchiveState state, long nanos) {
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      sink += state.encode().length;
      n++;
      now = System.nanoTime();
    } while (now - start < nanos);
    return (double) (now - start) / n;
  }
}
