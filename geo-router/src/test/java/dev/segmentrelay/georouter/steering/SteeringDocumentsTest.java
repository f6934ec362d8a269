package dev.segmentrelay.georouter.steering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.common.media.dash.MpdParser;
import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SteeringDocumentsTest {
  static EdgeRecord edge(String id, String url) {
    return new EdgeRecord(
        id,
        url,
        List.of(),
        "site-" + id,
        0,
        0,
        "",
        1000,
        1000,
        EdgeState.SERVING,
        EdgeLoad.IDLE,
        Instant.EPOCH,
        "",
        "");
  }

  private static final List<EdgeRecord> EDGES =
      List.of(edge("tyo1", "http://tyo.example:8082"), edge("fra1", "http://fra.example:8081"));

  @Test
  void hlsMasterNamesOnePathwayPerEdgeWithAbsoluteUrisAndOwnRenditionGroups() {
    MasterPlaylist source =
        (MasterPlaylist)
            HlsParser.parse(
                """
                #EXTM3U
                #EXT-X-VERSION:6
                #EXT-X-INDEPENDENT-SEGMENTS
                #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",DEFAULT=YES,URI="audio/en.m3u8"
                #EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"
                v0/index.m3u8
                #EXT-X-STREAM-INF:BANDWIDTH=300000,AUDIO="aud"
                v1/index.m3u8
                """);
    String steered =
        SteeringDocuments.hlsMaster(
            source, EDGES, e -> e.publicUrl() + "/live/room1/", "http://router/steering/room1");

    MasterPlaylist parsed = (MasterPlaylist) HlsParser.parse(steered);
    assertThat(parsed.playlistUris())
        .containsExactly(
            "http://tyo.example:8082/live/room1/audio/en.m3u8",
            "http://tyo.example:8082/live/room1/v0/index.m3u8",
            "http://tyo.example:8082/live/room1/v1/index.m3u8",
            "http://fra.example:8081/live/room1/audio/en.m3u8",
            "http://fra.example:8081/live/room1/v0/index.m3u8",
            "http://fra.example:8081/live/room1/v1/index.m3u8");
    assertThat(steered)
        .startsWith("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n")
        .contains(
            "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://router/steering/room1\","
                + "PATHWAY-ID=\"tyo1\"")
        .contains("GROUP-ID=\"aud_tyo1\"")
        .contains("GROUP-ID=\"aud_fra1\"")
        .contains(
            "#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.64001f,mp4a.40.2\","
                + "AUDIO=\"aud_fra1\",PATHWAY-ID=\"fra1\"\nhttp://fra.example:8081/live/room1/v0/index.m3u8");
    assertThat(steered.split("#EXT-X-VERSION", -1)).hasSize(2);
  }

  @Test
  void dashMpdGetsOneBaseUrlPerEdgeAndAContentSteeringElement() throws Exception {
    String source =
        new String(
            getClass().getResourceAsStream("/fixtures/dash/ffmpeg-abr-live.mpd").readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    String steered =
        SteeringDocuments.dashMpd(
            source,
            EDGES,
            e -> e.publicUrl() + "/live/room1/",
            "http://router/steering/room1?format=dash");

    assertThat(steered)
        .contains("<BaseURL serviceLocation=\"tyo1\">http://tyo.example:8082/live/room1/</BaseURL>")
        .contains("<BaseURL serviceLocation=\"fra1\">http://fra.example:8081/live/room1/</BaseURL>")
        .contains(
            "<ContentSteering defaultServiceLocation=\"tyo1\" queryBeforeStart=\"false\">"
                + "http://router/steering/room1?format=dash</ContentSteering>");
    assertThat(steered.indexOf("<BaseURL")).isLessThan(steered.indexOf("<Period"));
    // still a valid MPD our own parser reads
    assertThat(
            MpdParser.parse(steered, java.net.URI.create("http://router/steer/room1/manifest.mpd")))
        .isNotNull();
    assertThat(steered.indexOf("</ProgramInformation>")).isLessThan(steered.indexOf("<BaseURL"));
  }

  @Test
  void aTextWithoutAnMpdElementIsRefused() {
    assertThatThrownBy(() -> SteeringDocuments.dashMpd("#EXTM3U", EDGES, e -> "", "x"))
        .hasMessageContaining("no <MPD> element");
  }

  @Test
  void steeringJsonListsPathwaysInRankOrder() {
    JsonObject hls =
        SteeringDocuments.hlsSteering(
            List.of("tyo1", "fra1"), Duration.ofSeconds(10), "http://r/s");
    assertThat(hls.encode())
        .isEqualTo(
            "{\"VERSION\":1,\"TTL\":10,\"RELOAD-URI\":\"http://r/s\","
                + "\"PATHWAY-PRIORITY\":[\"tyo1\",\"fra1\"]}");
    JsonObject dash =
        SteeringDocuments.dashSteering(List.of("fra1"), Duration.ofSeconds(5), "http://r/s");
    assertThat(dash.getJsonArray("SERVICE-LOCATION-PRIORITY").encode()).isEqualTo("[\"fra1\"]");
  }
}
