package dev.segmentrelay.edge.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.edge.EdgeConfig;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EdgeIdentityTest {
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

  private static EdgeConfig config(String bind, Optional<URI> publicUrl) {
    EdgeConfig d = EdgeConfig.defaults(List.of(URI.create("http://127.0.0.1:8080")), "tyo1-a");
    return new EdgeConfig(
        bind,
        8081,
        9091,
        d.upstreams(),
        d.cacheSizeBytes(),
        d.id(),
        "tyo1",
        35.68,
        139.69,
        "JP",
        2000,
        publicUrl,
        d.adminToken(),
        d.connectTimeout(),
        d.firstByteTimeout(),
        d.idleTimeout(),
        d.staleFor(),
        d.negativeTtl(),
        500,
        d.clientIdleTimeout(),
        Optional.empty());
  }

  @Test
  void aWildcardBindIsReportedAsLoopbackWithTheActualPorts() {
    EdgeRecord r = EdgeIdentity.of(config("0.0.0.0", Optional.empty()), 40001, 40002, NOW);
    assertThat(r.publicUrl()).isEqualTo("http://127.0.0.1:40001");
    assertThat(r.adminUrl()).isEqualTo("http://127.0.0.1:40002");
    assertThat(r.addresses()).containsExactly("127.0.0.1");
    assertThat(r.state()).isEqualTo(EdgeState.STARTING);
    assertThat(r.capacityMbps()).isEqualTo(2000);
    assertThat(r.capacityViewers()).as("max-connections").isEqualTo(500);
    assertThat(r.country()).isEqualTo("JP");
    assertThat(r.site()).isEqualTo("tyo1");
    assertThat(r.memberId()).isEmpty();
  }

  @Test
  void aSpecificBindIsUsedForBothUrls() {
    EdgeRecord r = EdgeIdentity.of(config("::1", Optional.empty()), 40001, 40002, NOW);
    assertThat(r.publicUrl()).isEqualTo("http://[::1]:40001");
    assertThat(r.adminUrl()).isEqualTo("http://[::1]:40002");
    assertThat(r.addresses()).containsExactly("0:0:0:0:0:0:0:1");
  }

  @Test
  void thePublicUrlWinsWithoutItsTrailingSlash() {
    EdgeRecord r =
        EdgeIdentity.of(
            config("0.0.0.0", Optional.of(URI.create("https://edge.example.org/"))),
            40001,
            40002,
            NOW);
    assertThat(r.publicUrl()).isEqualTo("https://edge.example.org");
    assertThat(r.adminUrl()).isEqualTo("http://edge.example.org:40002");
    assertThat(r.addresses()).as("a name is resolved later, off the event loop").isEmpty();
  }

  @Test
  void literalsAreKeptAndNamesResolved() {
    assertThat(EdgeIdentity.resolve("192.0.2.9")).containsExactly("192.0.2.9");
    assertThat(EdgeIdentity.resolve("localhost")).isNotEmpty();
  }
}
