package dev.segmentrelay.georouter.steering;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fetches the master playlists and MPDs the router rewrites for content steering, from an edge (or
 * the fallback origin), keeping each for a short time so that a crowd joining at once costs the
 * edge one request per {@link #maxAge}.
 */
public final class ManifestFetcher {
  private static final int MAX_BYTES = 1 << 20;

  private final HttpClient client;
  private final Clock clock;
  private final Duration maxAge;
  private final long timeoutMillis;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  private record Entry(Future<String> text, Instant fetchedAt) {}

  public ManifestFetcher(Vertx vertx, Clock clock, Duration maxAge, Duration timeout) {
    this.clock = clock;
    this.maxAge = maxAge;
    this.timeoutMillis = timeout.toMillis();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) timeoutMillis).setKeepAlive(true));
  }

  /** The body of {@code url} (at most 1 MiB), from cache if fetched within {@code maxAge}. */
  public Future<String> fetch(String url) {
    Instant now = clock.instant();
    Entry e = cache.get(url);
    if (e != null
        && (!e.text().isComplete() || e.text().succeeded())
        && Duration.between(e.fetchedAt(), now).compareTo(maxAge) < 0) {
      return e.text();
    }
    Future<String> text = load(url);
    cache.put(url, new Entry(text, now));
    if (cache.size() > 1000) {
      cache
          .entrySet()
          .removeIf(x -> Duration.between(x.getValue().fetchedAt(), now).compareTo(maxAge) >= 0);
    }
    return text;
  }

  private Future<String> load(String url) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(url)
            .setConnectTimeout(timeoutMillis)
            .setIdleTimeout(timeoutMillis);
    return client
        .request(options)
        .compose(req -> req.send())
        .compose(
            resp -> {
              if (resp.statusCode() != 200) {
                return resp.body()
                    .transform(
                        ignored ->
                            Future.failedFuture(
                                new IllegalStateException(
                                    url + " answered HTTP " + resp.statusCode())));
              }
              String length = resp.getHeader("Content-Length");
              if (length != null && Long.parseLong(length) > MAX_BYTES) {
                return Future.failedFuture(
                    new IllegalStateException(url + " is larger than " + MAX_BYTES + " bytes"));
              }
              return resp.body().map(b -> b.toString(java.nio.charset.StandardCharsets.UTF_8));
            });
  }

  public Future<Void> close() {
    return client.close();
  }
}
