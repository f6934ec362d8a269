package dev.segmentrelay.common.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process fake HLS transcoder for what a real one cannot do on demand: run hundreds of
 * segments through the origin in seconds, and misbehave on request.
 *
 * <p>It serves {@code master.m3u8} and, per rendition {@code r}, {@code r{r}/index.m3u8} and {@code
 * r{r}/seg_{n}.ts}. The live edge is computed from the wall clock on every request (segment {@code
 * n} exists once {@code (n + 1) × segment duration} has passed since the epoch started), so there
 * is no timer. Segment bytes are a pure function of (epoch, rendition, n): 188-byte packets that
 * start with the MPEG-TS sync byte, {@link #segmentBytes} recomputes them for comparisons. {@link
 * #restart()} starts a new epoch at segment 0 with different bytes, like a restarted transcoder.
 *
 * <p>{@link #fault(Fault)} makes every media playlist response misbehave until set back to {@link
 * Fault#NONE}; segments keep being served.
 */
public final class FakeLiveSource implements AutoCloseable {
  private static final Pattern MEDIA_PLAYLIST = Pattern.compile("/r(\\d+)/index\\.m3u8");
  private static final Pattern SEGMENT = Pattern.compile("/r(\\d+)/seg_(\\d+)\\.ts");
  private static final int TS_PACKET = 188;

  /** How media playlist responses misbehave. */
  public enum Fault {
    /** Serve correct playlists. */
    NONE,
    /** Cut the playlist in the middle of a line (as a half-written file would be). */
    TRUNCATED,
    /** Serve an HTML error page with status 200 instead of a playlist. */
    GARBAGE,
    /** Serve a playlist whose media sequence went backwards and names unknown segments. */
    SEQUENCE_BACKWARDS,
    /** Answer 500. */
    SERVER_ERROR
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final int renditions;
  private final long segmentMillis;
  private final int segmentBytes;
  private final int window;
  private final AtomicLong playlistRequests = new AtomicLong();
  private final AtomicLong segmentRequests = new AtomicLong();
  private volatile Fault fault = Fault.NONE;
  private volatile long segmentDelayMillis;
  private volatile int epoch;
  private volatile long epochStartNanos = System.nanoTime();

  private FakeLiveSource(
      Vertx vertx, HttpServer server, int renditions, long segmentMillis, int segmentBytes, int w) {
    this.vertx = vertx;
    this.server = server;
    this.renditions = renditions;
    this.segmentMillis = segmentMillis;
    this.segmentBytes = segmentBytes;
    this.window = w;
  }

  /**
   * Starts serving.
   *
   * @param renditions number of renditions (1 or more)
   * @param segmentDuration duration of each segment (as little as a few milliseconds)
   * @param segmentBytes size of each segment, rounded up to whole 188-byte packets
   * @param window segments named by each media playlist
   */
  public static FakeLiveSource start(
      int renditions, Duration segmentDuration, int segmentBytes, int window) {
    if (renditions < 1 || window < 1 || segmentBytes < 1 || segmentDuration.toMillis() < 1) {
      throw new IllegalArgumentException(
          "renditions, window, segment bytes and duration must be positive");
    }
    Vertx vertx = Vertx.vertx();
    FakeLiveSource[] self = new FakeLiveSource[1];
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .requestHandler(r -> self[0].handle(r));
    int bytes = ((segmentBytes + TS_PACKET - 1) / TS_PACKET) * TS_PACKET;
    self[0] =
        new FakeLiveSource(vertx, server, renditions, segmentDuration.toMillis(), bytes, window);
    try {
      Waits.await("fake live source to listen", Duration.ofSeconds(10), server.listen());
    } catch (AssertionError e) {
      vertx.close();
      throw e;
    }
    return self[0];
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:PORT/master.m3u8}. */
  public String masterUrl() {
    return "http://127.0.0.1:" + port() + "/master.m3u8";
  }

  /** {@code http://127.0.0.1:PORT/r{rendition}/index.m3u8}. */
  public String mediaPlaylistUrl(int rendition) {
    return "http://127.0.0.1:" + port() + "/r" + rendition + "/index.m3u8";
  }

  public void fault(Fault fault) {
    this.fault = fault;
  }

  /**
   * Delays every segment answer by {@code delay} (0 = none): longer than the segment duration makes
   * the source slower than real time, so players downstream stall.
   */
  public void segmentDelay(Duration delay) {
    this.segmentDelayMillis = delay.toMillis();
  }

  /** Starts a new epoch: numbering restarts at 0, bytes differ from the previous epoch's. */
  public synchronized void restart() {
    epoch++;
    epochStartNanos = System.nanoTime();
  }

  public int epoch() {
    return epoch;
  }

  /** Segments produced so far in the current epoch (per rendition). */
  public long produced() {
    return (System.nanoTime() - epochStartNanos) / 1_000_000 / segmentMillis;
  }

  public long playlistRequests() {
    return playlistRequests.get();
  }

  public long segmentRequests() {
    return segmentRequests.get();
  }

  /** The bytes of segment {@code n} of {@code rendition} in {@code epoch}. */
  public byte[] segmentBytes(int epoch, int rendition, long n) {
    byte[] b = new byte[segmentBytes];
    new Random(((long) epoch << 48) ^ ((long) rendition << 40) ^ n).nextBytes(b);
    for (int i = 0; i < b.length; i += TS_PACKET) {
      b[i] = 0x47;
    }
    return b;
  }

  /** The current media playlist of {@code rendition}, as served without a fault. */
  public String mediaPlaylist(int rendition) {
    long produced = produced();
    long first = Math.max(0, produced - window);
    int target = (int) Math.max(1, (segmentMillis + 999) / 1000);
    StringBuilder b =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:")
            .append(target)
            .append("\n#EXT-X-MEDIA-SEQUENCE:")
            .append(first)
            .append('\n');
    String extinf = String.format(Locale.ROOT, "#EXTINF:%.3f,%n", segmentMillis / 1000.0);
    for (long n = first; n < produced; n++) {
      b.append(extinf).append("seg_").append(n).append(".ts\n");
    }
    return b.toString();
  }

  /** The master playlist naming every rendition. */
  public String masterPlaylist() {
    StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n");
    for (int r = 0; r < renditions; r++) {
      b.append("#EXT-X-STREAM-INF:BANDWIDTH=")
          .append(500_000 * (r + 1))
          .append(",CODECS=\"avc1.42c01e,mp4a.40.2\"\n")
          .append('r')
          .append(r)
          .append("/index.m3u8\n");
    }
    return b.toString();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    var response = request.response().putHeader("Cache-Control", "no-cache");
    if (path.equals("/master.m3u8")) {
      response.putHeader("Content-Type", "application/vnd.apple.mpegurl").end(masterPlaylist());
      return;
    }
    Matcher m = MEDIA_PLAYLIST.matcher(path);
    if (m.matches() && Integer.parseInt(m.group(1)) < renditions) {
      playlistRequests.incrementAndGet();
      servePlaylist(request, Integer.parseInt(m.group(1)));
      return;
    }
    m = SEGMENT.matcher(path);
    if (m.matches() && Integer.parseInt(m.group(1)) < renditions) {
      segmentRequests.incrementAndGet();
      int r = Integer.parseInt(m.group(1));
      long n = Long.parseLong(m.group(2));
      long produced = produced();
      if (n < produced && n >= produced - window - 20) {
        Buffer body = Buffer.buffer(segmentBytes(epoch, r, n));
        long delay = segmentDelayMillis;
        if (delay > 0) {
          vertx.setTimer(delay, t -> response.putHeader("Content-Type", "video/mp2t").end(body));
        } else {
          response.putHeader("Content-Type", "video/mp2t").end(body);
        }
        return;
      }
    }
    response.setStatusCode(404).end();
  }

  private void servePlaylist(HttpServerRequest request, int rendition) {
    var response = request.response().putHeader("Content-Type", "application/vnd.apple.mpegurl");
    String good = mediaPlaylist(rendition);
    switch (fault) {
      case NONE -> response.end(good);
      case TRUNCATED -> {
        int cut = good.lastIndexOf("seg_");
        response.end(good.substring(0, cut > 0 ? cut + 3 : good.length() / 2));
      }
      case GARBAGE -> response.end("<html><body>502 Bad Gateway</body></html>\n");
      case SEQUENCE_BACKWARDS ->
          response.end(
              "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
                  + "#EXTINF:0.100,\nmissing_0.ts\n");
      case SERVER_ERROR -> response.setStatusCode(500).end("transcoder exploded\n");
      default -> response.setStatusCode(500).end();
    }
  }

  @Override
  public void close() {
    Waits.await("fake live source to close", Duration.ofSeconds(10), vertx.close());
  }
}
