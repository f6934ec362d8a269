package dev.segmentrelay.origin;

import dev.segmentrelay.origin.archive.ArchiveConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code relay origin} can be told, validated once. Built by the config loader from
 * defaults, the YAML file, environment variables and flags (in that order of precedence, last
 * wins); {@code docs/config/origin.example.yaml} lists every key.
 *
 * @param bind address the viewer/edge-facing and ingest server listens on
 * @param port viewer/edge-facing port (0 picks a free port)
 * @param adminPort management port: health and metrics (0 picks a free port)
 * @param pullStreams streams pulled from a transcoder over HTTP
 * @param pushStreams streams pushed to {@code /ingest/{stream}/…} by HTTP PUT
 * @param playlistWindow segments named by each published playlist
 * @param storeMaxSegments segments kept per rendition (at least playlistWindow + 2, so a player
 *     that just read a playlist can still fetch what it names)
 * @param storeMaxBytes bytes kept per rendition
 * @param maxObjectBytes largest segment or playlist accepted from a transcoder
 * @param fetchTimeout timeout of one upstream request (connect to last byte)
 * @param stalledAfter a stream with no new segment for this long is reported as stalled
 * @param pollInterval overrides the HLS/DASH reload interval when set (tests, low-lag pull)
 * @param archive the S3 archive (DVR, replay as VOD, restart from S3), off when empty
 */
public record OriginConfig(
    String bind,
    int port,
    int adminPort,
    List<PullStream> pullStreams,
    List<PushStream> pushStreams,
    int playlistWindow,
    int storeMaxSegments,
    long storeMaxBytes,
    long maxObjectBytes,
    Duration fetchTimeout,
    Duration stalledAfter,
    Optional<Duration> pollInterval,
    Optional<ArchiveConfig> archive) {

  public static final String DEFAULT_BIND = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_ADMIN_PORT = 9090;
  public static final int DEFAULT_PLAYLIST_WINDOW = 6;
  public static final int DEFAULT_STORE_MAX_SEGMENTS = 30;
  public static final long DEFAULT_STORE_MAX_BYTES = 256L * 1024 * 1024;
  public static final long DEFAULT_MAX_OBJECT_BYTES = 64L * 1024 * 1024;
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STALLED_AFTER = Duration.ofSeconds(15);

  /** A stream pulled from {@code url} (an HLS master/media playlist or a DASH MPD). */
  public record PullStream(String name, URI url) {}

  /** A stream pushed by HTTP PUT, authorised by {@code token} as a bearer token. */
  public record PushStream(String name, String token) {}

  /** This config with {@code archive} switched on. */
  public OriginConfig withArchive(ArchiveConfig archive) {
    return new OriginConfig(
        bind,
        port,
        adminPort,
        pullStreams,
        pushStreams,
        playlistWindow,
        storeMaxSegments,
        storeMaxBytes,
        maxObjectBytes,
        fetchTimeout,
        stalledAfter,
        pollInterval,
        Optional.of(archive));
  }

  public OriginConfig {
    java.util.Objects.requireNonNull(archive, "archive must be Optional.empty() when off");
    pullStreams = List.copyOf(pullStreams);
    pushStreams = List.copyOf(pushStreams);
    requireArgument(port >= 0 && port <= 65535, "port " + port + " is not in 0-65535");
    requireArgument(
        adminPort >= 0 && adminPort <= 65535, "admin-port " + adminPort + " is not in 0-65535");
    requireArgument(
        playlistWindow >= 2, "playlist-window " + playlistWindow + " must be at least 2 segments");
    requireArgument(
        storeMaxSegments >= playlistWindow + 2,
        "store-max-segments "
            + storeMaxSegments
            + " must be at least playlist-window + 2 ("
            + (playlistWindow + 2)
            + ") so that players can fetch every segment a playlist names");
    requireArgument(storeMaxBytes > 0, "store-max-bytes must be positive");
    requireArgument(maxObjectBytes > 0, "max-object-bytes must be positive");
    requireArgument(
        storeMaxBytes >= maxObjectBytes,
        "store-max-bytes "
            + storeMaxBytes
            + " must be at least max-object-bytes "
            + maxObjectBytes);
    requireArgument(
        !fetchTimeout.isNegative() && !fetchTimeout.isZero(), "fetch-timeout must be positive");
    requireArgument(
        !stalledAfter.isNegative() && !stalledAfter.isZero(), "stalled-after must be positive");
    pollInterval.ifPresent(
        p -> requireArgument(!p.isNegative() && !p.isZero(), "poll-interval must be positive"));
    java.util.Set<String> names = new java.util.HashSet<>();
    for (PullStream s : pullStreams) {
      requireArgument(
          dev.segmentrelay.common.media.StreamId.isValid(s.name()),
          "stream name '" + s.name() + "' is invalid: use a-z, 0-9, '_' and '-' (max 64)");
      requireArgument(names.add(s.name()), "stream '" + s.name() + "' is configured twice");
      String scheme = s.url().getScheme();
      requireArgument(
          "http".equals(scheme) || "https".equals(scheme),
          "stream '" + s.name() + "' URL '" + s.url() + "' must be http:// or https://");
    }
    for (PushStream s : pushStreams) {
      requireArgument(
          dev.segmentrelay.common.media.StreamId.isValid(s.name()),
          "push stream name '" + s.name() + "' is invalid: use a-z, 0-9, '_' and '-' (max 64)");
      requireArgument(names.add(s.name()), "stream '" + s.name() + "' is configured twice");
      requireArgument(
          s.token() != null && s.token().length() >= 16,
          "push stream '"
              + s.name()
              + "' needs an ingest token of at least 16 characters (--ingest-token)");
    }
  }

  /** Defaults for everything, with the given streams. */
  public static OriginConfig defaults(List<PullStream> pull, List<PushStream> push) {
    return new OriginConfig(
        DEFAULT_BIND,
        DEFAULT_PORT,
        DEFAULT_ADMIN_PORT,
        pull,
        push,
        DEFAULT_PLAYLIST_WINDOW,
        DEFAULT_STORE_MAX_SEGMENTS,
        DEFAULT_STORE_MAX_BYTES,
        DEFAULT_MAX_OBJECT_BYTES,
        DEFAULT_FETCH_TIMEOUT,
        DEFAULT_STALLED_AFTER,
        Optional.empty(),
        Optional.empty());
  }

  private static void requireArgument(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
