package dev.segmentrelay.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.RawHttpClient;
import dev.segmentrelay.common.testing.Waits;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An edge started in-process through {@link EdgeMain#start} for integration tests: loopback only,
 * ports 0, timeouts short enough for tests, plus the checks every edge IT repeats (readiness, the
 * {@code X-Relay-Cache} header, JSON error bodies, metrics).
 */
final class EdgeHarness implements AutoCloseable {
  static final String CACHE_HEADER = "X-Relay-Cache";

  private final RunningEdge edge;
  private final HttpTestClient http = new HttpTestClient();

  private EdgeHarness(RunningEdge edge) {
    this.edge = edge;
  }

  /** Test settings on top of {@link EdgeConfig#defaults}. */
  static final class Settings {
    private final List<URI> upstreams;
    private String id = "edge-it";
    private Duration staleFor = EdgeConfig.DEFAULT_STALE_FOR;
    private Duration firstByteTimeout = Duration.ofSeconds(5);
    private Duration idleTimeout = Duration.ofSeconds(5);
    private long cacheSize = 64L * 1024 * 1024;
    private Optional<dev.segmentrelay.edge.overflow.OverflowConfig> overflow = Optional.empty();

    private Settings(List<URI> upstreams) {
      this.upstreams = List.copyOf(upstreams);
    }

    Settings id(String value) {
      this.id = value;
      return this;
    }

    Settings staleFor(Duration value) {
      this.staleFor = value;
      return this;
    }

    Settings firstByteTimeout(Duration value) {
      this.firstByteTimeout = value;
      return this;
    }

    Settings idleTimeout(Duration value) {
      this.idleTimeout = value;
      return this;
    }

    Settings cacheSize(long bytes) {
      this.cacheSize = bytes;
      return this;
    }

    Settings overflow(dev.segmentrelay.edge.overflow.OverflowConfig tier) {
      this.overflow = Optional.of(tier);
      return this;
    }

    EdgeConfig build() {
      EdgeConfig d = EdgeConfig.defaults(upstreams, id);
      return new EdgeConfig(
          "127.0.0.1",
          0,
          0,
          d.upstreams(),
          cacheSize,
          d.id(),
          d.site(),
          d.latitude(),
          d.longitude(),
          d.country(),
          d.capacityMbps(),
          d.publicUrl(),
          d.adminToken(),
          Duration.ofSeconds(1),
          firstByteTimeout,
          idleTimeout,
          staleFor,
          d.negativeTtl(),
          d.maxConnections(),
          Duration.ofSeconds(30),
          overflow);
    }
  }

  /** Settings for an edge in front of {@code upstreams} (base URLs, in order of preference). */
  static Settings config(String... upstreams) {
    return new Settings(Arrays.stream(upstreams).map(URI::create).toList());
  }

  /**
   * Starts the edge, waits (bounded) until it listens and reports ready.
   *
   * <p>The viewer port is probed ({@link FreePorts}) rather than 0: with one viewer server per
   * event loop, {@code EdgeMain} binds port 0 once and then binds the actual port again for the
   * other loops, which fails with "Address already in use" on a multi-core machine. A port taken
   * between the probe and the bind is retried with a new one (bounded).
   */
  static EdgeHarness start(EdgeConfig config) {
    return start(config, Optional.empty());
  }

  /** Like {@link #start(EdgeConfig)}, reporting to {@code registry} (which the test closes). */
  static EdgeHarness start(EdgeConfig config, Registry registry) {
    return start(config, Optional.of(registry));
  }

  private static EdgeHarness start(EdgeConfig config, Optional<Registry> registry) {
    RunningEdge running = null;
    AssertionError last = null;
    for (int attempt = 0; attempt < 5 && running == null; attempt++) {
      EdgeConfig bound = config.port() == 0 ? withPort(config, FreePorts.find()) : config;
      try {
        running =
            Waits.await(
                "edge to start",
                Duration.ofSeconds(30),
                registry.isPresent()
                    ? EdgeMain.start(bound, registry.get())
                    : EdgeMain.start(bound));
      } catch (AssertionError e) {
        if (config.port() != 0 || !(e.getCause() instanceof java.net.BindException)) {
          throw e;
        }
        last = e;
      }
    }
    if (running == null) {
      throw last;
    }
    EdgeHarness harness = new EdgeHarness(running);
    try {
      Waits.until(
          "edge /health/ready to answer 200",
          Duration.ofSeconds(20),
          () -> harness.http.get(harness.adminUrl("/health/ready")).status() == 200);
      return harness;
    } catch (RuntimeException | AssertionError e) {
      harness.close();
      throw e;
    }
  }

  private static EdgeConfig withPort(EdgeConfig c, int port) {
    return new EdgeConfig(
        c.bind(),
        port,
        c.adminPort(),
        c.upstreams(),
        c.cacheSizeBytes(),
        c.id(),
        c.site(),
        c.latitude(),
        c.longitude(),
        c.country(),
        c.capacityMbps(),
        c.publicUrl(),
        c.adminToken(),
        c.connectTimeout(),
        c.firstByteTimeout(),
        c.idleTimeout(),
        c.staleFor(),
        c.negativeTtl(),
        c.maxConnections(),
        c.clientIdleTimeout(),
        c.overflow());
  }

  int port() {
    return edge.port();
  }

  HttpTestClient http() {
    return http;
  }

  /** {@code http://127.0.0.1:PORT/live/{stream}/{path}}. */
  String liveUrl(String stream, String path) {
    return "http://127.0.0.1:" + port() + "/live/" + stream + "/" + path;
  }

  String adminUrl(String path) {
    return "http://127.0.0.1:" + edge.adminPort() + path;
  }

  /** GET through the edge, on a fresh connection, reporting how the response ended. */
  RawHttpClient.Response raw(String target, String... headerLines) {
    return RawHttpClient.get(port(), target, headerLines);
  }

  /**
   * Requests {@code target} until the edge answers it from cache (bounded). A request sent the
   * moment the previous response completed may still join the fill that is storing the object and
   * say COALESCED; the next one is a HIT.
   */
  RawHttpClient.Response awaitHit(String target) {
    return Waits.value(
        target + " to be served as a HIT",
        Duration.ofSeconds(5),
        () -> {
          RawHttpClient.Response r = raw(target);
          return "HIT".equals(r.header(CACHE_HEADER)) ? Optional.of(r) : Optional.empty();
        });
  }

  /** The Prometheus text of {@code /metrics}. */
  String metrics() {
    HttpTestClient.Response r = http.get(adminUrl("/metrics"));
    assertThat(r.status()).as("edge /metrics: %s", r).isEqualTo(200);
    return r.text();
  }

  /**
   * Asserts that {@code r} is a JSON error body ({@code {"status", "error", "message"}}) whose
   * status matches the response's.
   */
  static JsonObject assertJsonError(RawHttpClient.Response r, String what) {
    assertThat(r.complete()).as("%s answered completely: %s", what, r).isTrue();
    assertThat(Optional.ofNullable(r.header("Content-Type")).orElse(""))
        .as("%s content type: %s", what, r)
        .startsWith("application/json");
    JsonObject body;
    try {
      body = new JsonObject(r.text());
    } catch (DecodeException e) {
      throw new AssertionError(what + " body is not a JSON object: " + r, e);
    }
    assertThat(body.getInteger("status")).as("%s JSON status: %s", what, r).isEqualTo(r.status());
    assertThat(body.getString("message")).as("%s JSON message", what).isNotBlank();
    return body;
  }

  @Override
  public void close() {
    Waits.await("edge to close", Duration.ofSeconds(30), edge.close());
  }
}
