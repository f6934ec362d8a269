package dev.segmentrelay.common.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManagementServerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicReference<Optional<String>> notReady =
      new AtomicReference<>(Optional.empty());
  private Vertx vertx;
  private PrometheusMeterRegistry registry;
  private ManagementServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    registry = ManagementServer.newRegistry("test-service");
    server =
        ManagementServer.start(vertx, "127.0.0.1", 0, registry, notReady::get)
            .toCompletionStage()
            .toCompletableFuture()
            .get();
  }

  @AfterEach
  void stop() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get();
    vertx.close().toCompletionStage().toCompletableFuture().get();
    registry.close();
  }

  @Test
  void liveIsUp() throws Exception {
    HttpResponse<String> response = get("/health/live");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(new JsonObject(response.body()).getString("status")).isEqualTo("UP");
  }

  @Test
  void readyFollowsTheReadinessCheck() throws Exception {
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("READY");

    notReady.set(Optional.of("stream room1 has no segment yet"));
    HttpResponse<String> notReadyResponse = get("/health/ready");
    assertThat(notReadyResponse.statusCode()).isEqualTo(503);
    JsonObject body = new JsonObject(notReadyResponse.body());
    assertThat(body.getString("status")).isEqualTo("NOT_READY");
    assertThat(body.getString("reason")).isEqualTo("stream room1 has no segment yet");
  }

  @Test
  void failingReadinessCheckIsNotReady() throws Exception {
    ManagementServer failing =
        ManagementServer.start(
                vertx,
                "127.0.0.1",
                0,
                registry,
                () -> {
                  throw new IllegalStateException("boom");
                })
            .toCompletionStage()
            .toCompletableFuture()
            .get();
    try {
      HttpResponse<String> response = get(failing.port(), "/health/ready");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(response.body()).getString("reason")).contains("boom");
    } finally {
      failing.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void metricsArePrometheusTextWithJvmMetersAndServiceTag() throws Exception {
    registry.counter("relay_test_requests").increment();
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("relay_test_requests_total{service=\"test-service\"} 1.0")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_threads_live_threads")
        .contains("process_cpu_usage")
        .contains("process_uptime_seconds");
  }

  @Test
  void unknownPathIsJsonNotFound() throws Exception {
    HttpResponse<String> response = get("/admin/drain");
    assertThat(response.statusCode()).isEqualTo(404);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getInteger("status")).isEqualTo(404);
    assertThat(body.getString("error")).isEqualTo("not_found");
    assertThat(body.getString("message")).contains("/health/live");
  }

  @Test
  void otherMethodsAreRejected() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri(server.port(), "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains("GET, HEAD");
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("method_not_allowed");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(server.port(), path);
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(port, path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
