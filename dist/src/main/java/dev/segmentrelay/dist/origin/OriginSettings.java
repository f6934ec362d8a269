package dev.segmentrelay.dist.origin;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.media.StreamId;
import dev.segmentrelay.dist.cli.ClusterSettings;
import dev.segmentrelay.dist.cli.S3TierSettings;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.archive.ArchiveConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of {@code relay origin} (the cluster ones are {@link ClusterSettings}) (flag, YAML
 * key, {@code RELAY_ORIGIN_*} variable, default, help) and the translation of the layered values
 * into the validated {@link OriginConfig}. Defaults are {@link OriginConfig}'s own constants, so
 * help, docs and the record cannot disagree.
 */
public final class OriginSettings {
  public static final Setting<Integer> PORT =
      Setting.of(
          "port",
          SettingType.port(),
          OriginConfig.DEFAULT_PORT,
          "Viewer- and edge-facing HTTP port, also the push ingest port (0 picks a free port).");
  public static final Setting<Integer> ADMIN_PORT =
      Setting.of(
          "admin-port",
          SettingType.port(),
          OriginConfig.DEFAULT_ADMIN_PORT,
          "Management port: /health/live, /health/ready, /metrics (0 picks a free port).");
  public static final Setting<String> BIND =
      Setting.of(
          "bind",
          SettingType.string("ADDR"),
          OriginConfig.DEFAULT_BIND,
          "Address both ports listen on.");
  public static final Setting<Map<String, String>> STREAMS =
      Setting.of(
              "streams",
              SettingType.pairs("NAME=URL", true),
              Map.<String, String>of(),
              "Pull stream NAME from the HLS playlist or DASH MPD at URL; it is served as"
                  + " /live/NAME/{file name of URL}. Repeatable.")
          .withFlag("--stream", "NAME=URL");
  public static final Setting<Map<String, String>> PUSH_STREAMS =
      Setting.of(
              "push-streams",
              SettingType.pairs("NAME[=TOKEN]", false),
              Map.<String, String>of(),
              "Accept stream NAME pushed by HTTP PUT to /ingest/NAME/..., authorised by"
                  + " 'Authorization: Bearer TOKEN' (TOKEN defaults to --ingest-token)."
                  + " Repeatable.")
          .withFlag("--push", "NAME[=TOKEN]");
  public static final Setting<String> INGEST_TOKEN =
      Setting.optional(
          "ingest-token",
          SettingType.string("TOKEN"),
          "Bearer token of push streams that name none; at least 16 characters.");
  public static final Setting<Integer> PLAYLIST_WINDOW =
      Setting.of(
          "playlist-window",
          SettingType.integer("N", 1, 1_000_000),
          OriginConfig.DEFAULT_PLAYLIST_WINDOW,
          "Segments named by each published playlist (at least 2).");
  public static final Setting<Integer> STORE_MAX_SEGMENTS =
      Setting.of(
          "store-max-segments",
          SettingType.integer("N", 1, 1_000_000),
          OriginConfig.DEFAULT_STORE_MAX_SEGMENTS,
          "Segments kept per rendition (at least playlist-window + 2).");
  public static final Setting<Long> STORE_MAX_BYTES =
      Setting.of(
          "store-max-bytes",
          SettingType.size(),
          OriginConfig.DEFAULT_STORE_MAX_BYTES,
          "Bytes kept per rendition, e.g. 256m, 2g.");
  public static final Setting<Long> MAX_OBJECT_BYTES =
      Setting.of(
          "max-object-bytes",
          SettingType.size(),
          OriginConfig.DEFAULT_MAX_OBJECT_BYTES,
          "Largest segment or playlist accepted from a transcoder.");
  public static final Setting<Duration> FETCH_TIMEOUT =
      Setting.of(
          "fetch-timeout",
          SettingType.duration(),
          OriginConfig.DEFAULT_FETCH_TIMEOUT,
          "Timeout of one upstream request, connect to last byte, e.g. 500ms, 10s.");
  public static final Setting<Duration> STALLED_AFTER =
      Setting.of(
          "stalled-after",
          SettingType.duration(),
          OriginConfig.DEFAULT_STALLED_AFTER,
          "A stream with no new segment for this long is reported as stalled.");
  public static final Setting<Duration> POLL_INTERVAL =
      Setting.optional(
          "poll-interval",
          SettingType.duration(),
          "Reload interval of pulled playlists; unset, the origin follows each playlist's"
              + " target duration.");

  public static final Setting<Duration> DVR_WINDOW =
      Setting.of(
          "dvr-window",
          SettingType.duration(),
          ArchiveConfig.DEFAULT_DVR_WINDOW,
          "With S3 (--s3-endpoint): how far back the live playlist reaches; segments older than"
              + " the memory store are served from the S3 archive. Ended streams replay whole.");

  /** The origin role: {@code RELAY_ORIGIN_*} variables. */
  public static final ConfigSchema SCHEMA =
      new ConfigSchema(
          "origin",
          ClusterSettings.appendTo(
              S3TierSettings.appendTo(
                  List.of(
                      PORT,
                      ADMIN_PORT,
                      BIND,
                      STREAMS,
                      PUSH_STREAMS,
                      INGEST_TOKEN,
                      PLAYLIST_WINDOW,
                      STORE_MAX_SEGMENTS,
                      STORE_MAX_BYTES,
                      MAX_OBJECT_BYTES,
                      FETCH_TIMEOUT,
                      STALLED_AFTER,
                      POLL_INTERVAL,
                      DVR_WINDOW))));

  private OriginSettings() {}

  /**
   * Builds the origin's config from resolved values.
   *
   * @param environment where S3 credentials ({@code AWS_*}) are read
   * @throws ConfigException naming the key and where its value came from
   */
  public static OriginConfig toOriginConfig(
      ResolvedConfig config, Map<String, String> environment) {
    List<OriginConfig.PullStream> pull = new ArrayList<>();
    for (Map.Entry<String, String> stream : config.get(STREAMS).entrySet()) {
      String name = stream.getKey();
      requireStreamName(config, STREAMS, name);
      URI url;
      try {
        url = SettingType.httpUrl().fromText(stream.getValue());
      } catch (IllegalArgumentException e) {
        throw config.invalid(STREAMS, name + "=" + stream.getValue(), e.getMessage());
      }
      pull.add(new OriginConfig.PullStream(name, url));
    }
    List<OriginConfig.PushStream> push = new ArrayList<>();
    Optional<String> ingestToken = config.find(INGEST_TOKEN);
    for (Map.Entry<String, String> stream : config.get(PUSH_STREAMS).entrySet()) {
      String name = stream.getKey();
      requireStreamName(config, PUSH_STREAMS, name);
      String token = stream.getValue();
      if (token.isEmpty()) {
        token =
            ingestToken.orElseThrow(
                () ->
                    config.invalid(
                        PUSH_STREAMS,
                        name,
                        "has no token: write NAME=TOKEN or set --ingest-token"
                            + " (RELAY_ORIGIN_INGEST_TOKEN)"));
        if (token.length() < 16) {
          throw config.invalid(
              INGEST_TOKEN, "***", "is shorter than 16 characters; use a long random token");
        }
      } else if (token.length() < 16) {
        throw config.invalid(
            PUSH_STREAMS,
            name + "=***",
            "has a token shorter than 16 characters; use a long random token");
      }
      push.add(new OriginConfig.PushStream(name, token));
    }
    Optional<ArchiveConfig> archive =
        S3TierSettings.toS3Settings(config, environment)
            .map(
                s3 ->
                    ArchiveConfig.of(s3, S3TierSettings.required(config))
                        .withDvrWindow(config.get(DVR_WINDOW)));
    try {
      return new OriginConfig(
          config.get(BIND),
          config.get(PORT),
          config.get(ADMIN_PORT),
          pull,
          push,
          config.get(PLAYLIST_WINDOW),
          config.get(STORE_MAX_SEGMENTS),
          config.get(STORE_MAX_BYTES),
          config.get(MAX_OBJECT_BYTES),
          config.get(FETCH_TIMEOUT),
          config.get(STALLED_AFTER),
          config.find(POLL_INTERVAL),
          archive);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + config.sourcesOfKeysIn(e.getMessage()), e);
    }
  }

  private static void requireStreamName(ResolvedConfig config, Setting<?> setting, String name) {
    if (!StreamId.isValid(name)) {
      throw config.invalid(
          setting,
          name,
          "is not a valid stream name: use 1 to 64 characters of a-z, 0-9, '_' and '-',"
              + " starting with a letter or digit");
    }
  }
}
