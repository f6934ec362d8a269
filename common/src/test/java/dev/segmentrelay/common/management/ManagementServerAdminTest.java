package dev.segmentrelay.common.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bearer-token rules in front of {@link AdminActions}. */
class ManagementServerAdminTest {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private PrometheusMeterRegistry registry;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    registry = ManagementServer.newRegistry("test-service");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
    registry.close();
  }

  /** Admin actions that echo method, path and body, and remember what they handled. */
  private AdminActions echo(Optional<String> token) {
    return new AdminActions() {
      @Override
      public Optional<String> token() {
        return token;
      }

      @Override
      public void handle(HttpServerRequest request) {
        String methodAndPath = request.method() + " " + request.uri();
        request
            .body()
            .onSuccess(
                body -> {
                  handled.add(methodAndPath + " " + body);
                  request
                      .response()
                      .putHeader("Content-Type", "application/json")
                      .end(
                          new JsonObject()
                              .put("handled", methodAndPath)
                              .put("body", body.toString())
                              .encode());
                });
      }
    };
  }

  private int startServer(Optional<AdminActions> admin) throws Exception {
    return ManagementServer.start(vertx, "127.0.0.1", 0, registry, Optional::empty, admin)
        .toCompletionStage()
        .toCompletableFuture()
        .get()
        .port();
  }

  @Test
  void rightTokenReachesTheHandlerWithMethodPathAndBody() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    HttpResponse<String> response =
        send(
            request(port, "/admin/purge?path=/live/room1/index.m3u8")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("everything")));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("handled"))
        .isEqualTo("POST /admin/purge?path=/live/room1/index.m3u8");
    assertThat(handled).containsExactly("POST /admin/purge?path=/live/room1/index.m3u8 everything");
    assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
  }

  @Test
  void schemeIsCaseInsensitive() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    HttpResponse<String> response =
        send(
            request(port, "/admin/drain").header("Authorization", "bearer " + TOKEN).POST(empty()));
    assertThat(response.statusCode()).isEqualTo(200);
  }

  @Test
  void missingTokenIsUnauthorized() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    HttpResponse<String> response = send(request(port, "/admin/drain").POST(empty()));
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate"))
        .contains("Bearer realm=\"admin\"");
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("error")).isEqualTo("unauthorized");
    assertThat(body.getString("message")).contains("Authorization: Bearer TOKEN");
    assertThat(handled).isEmpty();
  }

  @Test
  void otherSchemesAndEmptyBearerAreUnauthorized() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    for (String header : List.of("Basic YWRtaW46" + TOKEN, "Bearer ", TOKEN)) {
      HttpResponse<String> response =
          send(request(port, "/admin/drain").header("Authorization", header).POST(empty()));
      assertThat(response.statusCode()).as(header).isEqualTo(401);
    }
    assertThat(handled).isEmpty();
  }

  @Test
  void wrongTokenIsForbidden() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    for (String wrong : List.of(TOKEN.substring(1), TOKEN + "0", TOKEN.replace('f', 'e'), "x")) {
      HttpResponse<String> response =
          send(
              request(port, "/admin/drain")
                  .header("Authorization", "Bearer " + wrong)
                  .POST(empty()));
      assertThat(response.statusCode()).as(wrong).isEqualTo(403);
      JsonObject body = new JsonObject(response.body());
      assertThat(body.getString("error")).isEqualTo("forbidden");
      assertThat(body.getString("message")).isEqualTo("wrong admin token");
    }
    assertThat(handled).isEmpty();
  }

  @Test
  void withoutAConfiguredTokenEveryAdminRequestIsForbiddenWithHowToSetOne() throws Exception {
    int port = startServer(Optional.of(echo(Optional.empty())));
    for (String header : List.of("Bearer " + TOKEN, "Bearer anything-at-all")) {
      HttpResponse<String> response =
          send(request(port, "/admin/drain").header("Authorization", header).POST(empty()));
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(new JsonObject(response.body()).getString("message"))
          .contains("admin actions are disabled")
          .contains("--admin-token");
    }
    assertThat(send(request(port, "/admin/drain").POST(empty())).statusCode()).isEqualTo(403);
    assertThat(handled).isEmpty();
  }

  @Test
  void withoutAdminActionsAdminPathsAreNotFound() throws Exception {
    int port = startServer(Optional.empty());
    HttpResponse<String> response =
        send(
            request(port, "/admin/drain").header("Authorization", "Bearer " + TOKEN).POST(empty()));
    assertThat(response.statusCode()).isEqualTo(404);
  }

  @Test
  void healthAndMetricsNeedNoToken() throws Exception {
    int port = startServer(Optional.of(echo(Optional.of(TOKEN))));
    assertThat(send(request(port, "/health/live").GET()).statusCode()).isEqualTo(200);
    assertThat(send(request(port, "/metrics").GET()).statusCode()).isEqualTo(200);
    assertThat(send(request(port, "/administrator").GET()).statusCode()).isEqualTo(404);
  }

  @Test
  void failingHandlerIsAJsonServerError() throws Exception {
    AdminActions failing =
        new AdminActions() {
          @Override
          public Optional<String> token() {
            return Optional.of(TOKEN);
          }

          @Override
          public void handle(HttpServerRequest request) {
            throw new IllegalStateException("cache is closing");
          }
        };
    int port = startServer(Optional.of(failing));
    HttpResponse<String> response =
        send(
            request(port, "/admin/drain").header("Authorization", "Bearer " + TOKEN).POST(empty()));
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(new JsonObject(response.body()).getString("message")).contains("cache is closing");
  }

  @Test
  void tokenComparisonIsExact() {
    assertThat(ManagementServer.tokensMatch(TOKEN, TOKEN)).isTrue();
    assertThat(ManagementServer.tokensMatch("", TOKEN)).isFalse();
    assertThat(ManagementServer.tokensMatch(TOKEN.toUpperCase(java.util.Locale.ROOT), TOKEN))
        .isFalse();
    assertThat(ManagementServer.bearerToken("  Bearer   " + TOKEN + "  ")).contains(TOKEN);
    assertThat(ManagementServer.bearerToken(null)).isEmpty();
  }

  private static HttpRequest.BodyPublisher empty() {
    return HttpRequest.BodyPublishers.noBody();
  }

  private static HttpRequest.Builder request(int port, String pathAndQuery) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(TIMEOUT);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
