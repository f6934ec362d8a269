package dev.segmentrelay.loadtest.player;

/**
 * A synthetic live HLS stream on the fake clock: 2-second segments, {@code initial} of them
 * published at time 0 and one more every 2 s, a sliding window of {@code window}; optionally fMP4
 * with an init section.
 */
final class LiveHls {
  private final FakeScheduler clock;
  private final int initial;
  private final int window;
  private final boolean fmp4;
  private long frozenAt = -1;
  boolean ended;

  LiveHls(FakeScheduler clock, int initial, int window, boolean fmp4) {
    this.clock = clock;
    this.initial = initial;
    this.window = window;
    this.fmp4 = fmp4;
  }

  /** The playlist stops changing from now on (a stuck packager). */
  void freeze() {
    frozenAt = clock.nowMillis();
  }

  long lastSequence() {
    long t = frozenAt >= 0 ? frozenAt : clock.nowMillis();
    return initial + t / 2000 - 1;
  }

  String playlist(String name) {
    long last = lastSequence();
    long first = Math.max(0, last - window + 1);
    StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n");
    b.append("#EXT-X-MEDIA-SEQUENCE:").append(first).append('\n');
    if (fmp4) {
      b.append("#EXT-X-MAP:URI=\"").append(name).append("_init.mp4\"\n");
    }
    for (long s = first; s <= last; s++) {
      b.append("#EXTINF:2.000,\n").append(name).append('_').append(s).append(fmp4 ? ".m4s" : ".ts");
      b.append('\n');
    }
    if (ended) {
      b.append("#EXT-X-ENDLIST\n");
    }
    return b.toString();
  }

  static String master(int... bandwidths) {
    StringBuilder b = new StringBuilder("#EXTM3U\n");
    for (int i = 0; i < bandwidths.length; i++) {
      b.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(bandwidths[i]).append('\n');
      b.append("r").append(bandwidths[i]).append(".m3u8\n");
    }
    return b.toString();
  }
}
