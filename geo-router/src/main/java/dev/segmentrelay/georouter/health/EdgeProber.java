package dev.segmentrelay.georouter.health;

import dev.segmentrelay.common.registry.EdgeRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The router's own readiness check of every registered edge: {@code GET {adminUrl}/health/ready}
 * once per {@link HealthPolicy#probeInterval()}, answered 200 within {@link
 * HealthPolicy#probeTimeout()} or counted as a failure. At most one probe per edge is in flight, so
 * a frozen edge costs one pending request, not one per interval. Results go to the {@link
 * EdgeHealthTracker}.
 */
public final class EdgeProber {
  private final Vertx vertx;
  private final EdgeHealthTracker tracker;
  private final HttpClient client;
  private final long timeoutMillis;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final Counter ok;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private long timerId = -1;

  public EdgeProber(Vertx vertx, EdgeHealthTracker tracker, MeterRegistry meters) {
    this.vertx = vertx;
    this.tracker = tracker;
    this.meters = meters;
    this.timeoutMillis = tracker.policy().probeTimeout().toMillis();
    this.client =
        vertx
            .httpClientBuilder()
            .with(
                new HttpClientOptions()
                    .setConnectTimeout((int) timeoutMillis)
                    .setKeepAlive(true)
                    .setKeepAliveTimeout(30))
            .with(new PoolOptions().setHttp1MaxSize(1))
            .build();
    this.ok = Counter.builder("relay_router_probes_total").tag("result", "ok").register(meters);
  }

  /** Probes every edge now and then every interval. */
  public void start() {
    probeAll();
    timerId = vertx.setPeriodic(tracker.policy().probeInterval().toMillis(), t -> probeAll());
  }

  public Future<Void> close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return client.close();
  }

  private void probeAll() {
    for (EdgeRecord edge : tracker.records()) {
      if (!edge.adminUrl().isEmpty() && inFlight.add(edge.id())) {
        probe(edge);
      }
    }
  }

  private void probe(EdgeRecord edge) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(edge.adminUrl() + "/health/ready")
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    client
        .request(request)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp.statusCode()))
        .onComplete(
            ar -> {
              inFlight.remove(edge.id());
              if (ar.failed()) {
                fail(edge, "no answer: " + describe(ar.cause()));
              } else if (System.nanoTime() > deadline) {
                fail(edge, "answered after more than " + timeoutMillis + " ms");
              } else if (ar.result() != 200) {
                fail(edge, "not ready (HTTP " + ar.result() + ")");
              } else {
                ok.increment();
                tracker.probed(edge.id(), true, "ready");
              }
            });
  }

  private void fail(EdgeRecord edge, String detail) {
    String kind = detail.startsWith("not ready") ? "not_ready" : "no_answer";
    failures
        .computeIfAbsent(
            kind,
            k -> Counter.builder("relay_router_probes_total").tag("result", k).register(meters))
        .increment();
    tracker.probed(edge.id(), false, detail);
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }
}
