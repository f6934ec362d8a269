package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.FfmpegLive;
import dev.segmentrelay.common.testing.FfmpegPlayer;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.RecordingPushProxy;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Push ingest: real ffmpeg pushing HLS by HTTP PUT with its {@code -headers 'Authorization: Bearer
 * …'} option, played back through the origin; and what the ingest endpoint refuses (no token, wrong
 * token, path tricks, oversized bodies), each answered with the JSON error body.
 */
class PushIT {
  private static final String TOKEN = "push-it-token-0123456789";
  private static final String OTHER_TOKEN = "push-it-other-token-98765";
  private static final long MAX_OBJECT_BYTES = 4L * 1024 * 1024;

  private static Path work;
  private static OriginHarness origin;
  private final HttpTestClient http = new HttpTestClient();

  @BeforeAll
  static void startOrigin() {
    work = ItWorkDirs.freshDirectory(PushIT.class);
    OriginConfig d =
        OriginHarness.testConfig(
            List.of(),
            List.of(
                new OriginConfig.PushStream("room2", TOKEN),
                new OriginConfig.PushStream("room3", OTHER_TOKEN)),
            Optional.empty());
    origin =
        OriginHarness.start(
            new OriginConfig(
                d.bind(),
                d.port(),
                d.adminPort(),
                d.pullStreams(),
                d.pushStreams(),
                d.playlistWindow(),
                d.storeMaxSegments(),
                d.storeMaxBytes(),
                MAX_OBJECT_BYTES,
                d.fetchTimeout(),
                d.stalledAfter(),
                d.pollInterval(),
                Optional.empty()));
  }

  @AfterAll
  static void stopOrigin() {
    if (origin != null) {
      origin.close();
    }
  }

  @Test
  @Timeout(150)
  void ffmpegPushedByPutPlaysCleanlyWithTheTranscodersBytes() {
    Path recorded = work.resolve("recorded");
    try (RecordingPushProxy proxy = RecordingPushProxy.start(origin.port(), recorded, 2);
        FfmpegLive ffmpeg =
            FfmpegLive.pushHls(
                    "http://127.0.0.1:" + proxy.port() + "/ingest/room2/index.m3u8",
                    work.resolve("ffmpeg"))
                .header("Authorization: Bearer " + TOKEN)
                .name("ffmpeg-push")
                .start()) {
      origin.awaitReady(Duration.ofSeconds(30));
      origin.awaitSegments("room2", "index.m3u8", 3, Duration.ofSeconds(30));
      try (FfmpegPlayer.Playing player =
          FfmpegPlayer.start(origin.liveUrl("room2", "index.m3u8"), 20, work.resolve("player"))) {
        List<OriginHarness.Comparison> compared = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
          Waits.sleep(Duration.ofSeconds(5));
          compared.addAll(origin.compareHls("room2", "index.m3u8", recorded));
        }
        FfmpegPlayer.Result result = player.await();
        SoftAssertions soft = new SoftAssertions();
        ItFiles.assertIdentical(soft, compared, recorded, 3);
        soft.assertThat(result.clean())
            .as("player of the pushed stream: %s (%s)", result, result.stderr())
            .isTrue();
        JsonObject status = origin.stream("room2");
        soft.assertThat(status.getString("mode")).isEqualTo("push");
        soft.assertThat(status.getString("state")).isEqualTo("live");
        soft.assertThat(proxy.uploads()).as("uploads ffmpeg made").isGreaterThan(6);
        soft.assertThat(ffmpeg.isAlive()).as("ffmpeg still pushing (no refused upload)").isTrue();
        soft.assertAll();
      }
    }
  }

  @Test
  void putWithoutTokenIs401() {
    HttpTestClient.Response r = http.put(ingest("room3", "seg_0.ts"), new byte[188]);
    assertJsonError(r, 401, "unauthorized");
    assertThat(r.header("WWW-Authenticate")).as("WWW-Authenticate").isNotNull();
  }

  @Test
  void putWithWrongTokenIs403() {
    HttpTestClient.Response r =
        http.put(ingest("room3", "seg_0.ts"), new byte[188], "Authorization", "Bearer " + TOKEN);
    assertJsonError(r, 403, "forbidden");
    HttpTestClient.Response basic =
        http.put(
            ingest("room3", "seg_0.ts"), new byte[188], "Authorization", basic("x", "wrong-token"));
    assertJsonError(basic, 403, "forbidden");
  }

  @Test
  void putWithTokenAsBasicPasswordIsAccepted() {
    HttpTestClient.Response r =
        http.put(
            ingest("room3", "basic-0.ts"),
            new byte[188],
            "Authorization",
            basic("ffmpeg", OTHER_TOKEN));
    assertThat(r.status()).as("PUT with Basic auth: %s", r).isBetween(200, 204);
  }

  @Test
  void dotDotPathsAre400() {
    String auth = "Authorization: Bearer " + OTHER_TOKEN;
    for (String path :
        List.of(
            "/ingest/room3/../room2/seg_0.ts",
            "/ingest/room3/%2e%2e/room2/seg_0.ts",
            "/ingest/room3/%2E%2E/seg_0.ts",
            "/ingest/room3/a/%2e%2e/%2e%2e/seg_0.ts")) {
      HttpTestClient.Response r =
          HttpTestClient.rawRequest(
              origin.port(),
              "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\nContent-Length: 4",
              "abcd".getBytes(StandardCharsets.US_ASCII));
      assertJsonError(r, 400, "bad_request");
    }
    for (String path :
        List.of(
            "/live/room2/../room3/index.m3u8",
            "/live/room2/%2e%2e/room3/index.m3u8",
            "/live/room2/%2e%2e%2f%2e%2e%2fetc/passwd.ts",
            "/live/room2/..%2f..%2fsecret.ts")) {
      HttpTestClient.Response r =
          HttpTestClient.rawRequest(
              origin.port(), "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1", new byte[0]);
      assertJsonError(r, 400, "bad_request");
    }
  }

  @Test
  void bodyLargerThanMaxObjectBytesIs413() {
    byte[] big = new byte[(int) MAX_OBJECT_BYTES + 64 * 1024];
    String head =
        "PUT /ingest/room3/big_0.ts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + OTHER_TOKEN;
    HttpTestClient.Response declared =
        HttpTestClient.rawRequest(origin.port(), head + "\r\nContent-Length: " + big.length, big);
    assertJsonError(declared, 413, "payload_too_large");
    HttpTestClient.Response chunked =
        HttpTestClient.rawRequest(
            origin.port(),
            head + "\r\nTransfer-Encoding: chunked",
            HttpTestClient.chunked(big, 64 * 1024));
    assertJsonError(chunked, 413, "payload_too_large");
  }

  private String ingest(String stream, String path) {
    return origin.baseUrl() + "/ingest/" + stream + "/" + path;
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  static void assertJsonError(HttpTestClient.Response r, int status, String error) {
    assertThat(r.status()).as("status of %s", r).isEqualTo(status);
    assertThat(r.header("Content-Type")).as("content type of %s", r).startsWith("application/json");
    JsonObject body = new JsonObject(r.text());
    assertThat(body.getInteger("status")).isEqualTo(status);
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getString("message")).as("message").isNotBlank();
  }
}
