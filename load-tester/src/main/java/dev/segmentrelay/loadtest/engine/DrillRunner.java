package dev.segmentrelay.loadtest.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Carries out a {@link Drill} off the event loops, bounded in time.
 *
 * <p>Drain: reads the router's {@code GET /api/v1/edges}, takes the named edge's {@code adminUrl}
 * and sends {@code POST {adminUrl}/admin/drain} with the edge admin token. Kill: runs the drill
 * command through {@code /bin/sh -c} with {@code {edge}} replaced by the edge id, waiting at most
 * {@value #COMMAND_SECONDS} s. The time recorded is when the action was sent, before its answer.
 */
final class DrillRunner {
  static final long COMMAND_SECONDS = 30;
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

  private final URI routerBase;
  private final Optional<String> adminToken;
  private final Optional<String> command;
  private final HttpClient http;

  DrillRunner(URI routerBase, Optional<String> adminToken, Optional<String> command) {
    this.routerBase = routerBase;
    this.adminToken = adminToken;
    this.command = command;
    this.http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
  }

  DrillRecord run(Drill drill, long runStartMonotonicMillis) {
    try {
      return switch (drill.action()) {
        case DRAIN -> drain(drill, runStartMonotonicMillis);
        case KILL -> kill(drill, runStartMonotonicMillis);
      };
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return record(drill, runStartMonotonicMillis, false, "interrupted");
    } catch (IOException | RuntimeException e) {
      return record(drill, runStartMonotonicMillis, false, e.toString());
    }
  }

  private DrillRecord drain(Drill drill, long t0) throws IOException, InterruptedException {
    URI edges = routerBase.resolve("/api/v1/edges");
    HttpResponse<String> table =
        http.send(
            HttpRequest.newBuilder(edges).timeout(HTTP_TIMEOUT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (table.statusCode() != 200) {
      return record(drill, t0, false, "GET " + edges + " answered " + table.statusCode());
    }
    Optional<String> adminUrl = adminUrl(table.body(), drill.edge());
    if (adminUrl.isEmpty()) {
      return record(
          drill, t0, false, "edge '" + drill.edge() + "' with an adminUrl is not in " + edges);
    }
    URI drain = URI.create(stripSlash(adminUrl.get()) + "/admin/drain");
    HttpRequest.Builder post =
        HttpRequest.newBuilder(drain)
            .timeout(HTTP_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.noBody());
    adminToken.ifPresent(token -> post.header("Authorization", "Bearer " + token));
    long at = EventLoopScheduler.monotonicMillis();
    Instant wall = Instant.now();
    HttpResponse<String> answer = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    boolean ok = answer.statusCode() / 100 == 2;
    return new DrillRecord(
        drill, at - t0, at, wall, ok, "POST " + drain + " answered " + answer.statusCode());
  }

  private DrillRecord kill(Drill drill, long t0) throws IOException, InterruptedException {
    if (command.isEmpty()) {
      return record(drill, t0, false, "no drill-command set for kill=" + drill.edge());
    }
    String line = command.get().replace("{edge}", drill.edge());
    long at = EventLoopScheduler.monotonicMillis();
    Instant wall = Instant.now();
    Process process =
        new ProcessBuilder("/bin/sh", "-c", line)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new DrillRecord(
          drill, at - t0, at, wall, false, "'" + line + "' still running after 30 s: killed");
    }
    int exit = process.exitValue();
    return new DrillRecord(drill, at - t0, at, wall, exit == 0, "'" + line + "' exited " + exit);
  }

  /** The {@code adminUrl} of edge {@code id} in the router's edge table. */
  static Optional<String> adminUrl(String edgesJson, String id) {
    JsonArray rows = new JsonObject(edgesJson).getJsonArray("edges", new JsonArray());
    for (int i = 0; i < rows.size(); i++) {
      JsonObject row = rows.getJsonObject(i);
      if (id.equals(row.getString("id"))) {
        return Optional.ofNullable(row.getString("adminUrl")).filter(s -> !s.isBlank());
      }
    }
    return Optional.empty();
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static DrillRecord record(Drill drill, long t0, boolean ok, String detail) {
    long now = EventLoopScheduler.monotonicMillis();
    return new DrillRecord(drill, now - t0, now, Instant.now(), ok, detail);
  }
}
