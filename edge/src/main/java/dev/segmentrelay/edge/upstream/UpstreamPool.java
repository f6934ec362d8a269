package dev.segmentrelay.edge.upstream;

import dev.segmentrelay.edge.upstream.CircuitBreaker.Admission;
import dev.segmentrelay.edge.upstream.UpstreamException.Cause;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import java.net.ConnectException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The edge's upstreams, tried in the configured order: our origin, a parent edge, or any HTTP
 * server with the {@code /live/} layout.
 *
 * <h2>Failover</h2>
 *
 * A fetch walks the upstreams in order and moves on to the next one when the current one fails
 * <em>before answering usefully</em>: the connection cannot be made, no response head arrives
 * within the first-byte timeout, the connection closes before the head, or the status is anything
 * but 2xx, 304, 404 or 410 (a 5xx body is drained so the connection stays pooled; redirects are not
 * followed). 404 and 410 are answers, passed through without failover: every upstream serves the
 * same names. Once an acceptable head has arrived the fetch is committed to that upstream: {@code
 * onHead}, the body as it arrives ({@code onChunk}; the upstream is never paused, the body is the
 * cache's copy), then {@code onEnd}, or {@code onError} when the body breaks off (reset, idle
 * timeout, fewer bytes than {@code Content-Length}). A body cannot be spliced from two upstreams,
 * so there is no failover after the head. When every upstream failed, one {@code onError} lists
 * each upstream and why, with the cause of the last attempt.
 *
 * <h2>Timeouts</h2>
 *
 * Three per attempt, each bounding one wait: connect (getting a pooled or new connection), first
 * byte (request sent to response head) and idle (head to first chunk, and between chunks). A
 * timed-out request is reset, which closes its connection rather than returning it to the pool with
 * a response still owed on it.
 *
 * <h2>Circuit breakers</h2>
 *
 * Each upstream has a {@link CircuitBreaker}: {@value CircuitBreaker#FAILURES_TO_OPEN} consecutive
 * failures (anything that causes failover, or a body that breaks off) open it; an open upstream is
 * skipped until its cool-down (2 s doubling to 30 s) passes and one trial request closes it again.
 * If every circuit is open the upstream whose circuit opened longest ago is tried anyway, so the
 * edge never refuses outright.
 *
 * <h2>Threading</h2>
 *
 * A fetch runs entirely on the Vert.x context it was started from (a new one when started off
 * Vert.x): its timers, its HTTP callbacks and every listener call, in order. Breakers and meters
 * are shared between event loops and thread-safe.
 */
public final class UpstreamPool implements Upstreams {
  private final Vertx vertx;
  private final List<Upstream> upstreams;
  private final Duration connectTimeout;
  private final long firstByteTimeoutMillis;
  private final long idleTimeoutMillis;

  public UpstreamPool(
      Vertx vertx,
      List<URI> upstreams,
      Duration connectTimeout,
      Duration firstByteTimeout,
      Duration idleTimeout,
      MeterRegistry meters,
      Clock clock) {
    require(!upstreams.isEmpty(), "at least one upstream URL is needed");
    requirePositive(connectTimeout, "connect timeout");
    requirePositive(firstByteTimeout, "first-byte timeout");
    requirePositive(idleTimeout, "idle timeout");
    for (URI base : upstreams) {
      require(
          ("http".equals(base.getScheme()) || "https".equals(base.getScheme()))
              && base.getHost() != null,
          "upstream '" + base + "' must be an http:// or https:// URL with a host");
      require(
          base.getRawQuery() == null && base.getRawFragment() == null,
          "upstream '" + base + "' must not have a query or fragment");
    }
    this.vertx = vertx;
    this.connectTimeout = connectTimeout;
    this.firstByteTimeoutMillis = firstByteTimeout.toMillis();
    this.idleTimeoutMillis = idleTimeout.toMillis();
    this.upstreams =
        upstreams.stream()
            .map(base -> new Upstream(vertx, base, connectTimeout, meters, clock))
            .toList();
  }

  @Override
  public void fetch(String pathAndQuery, UpstreamListener listener) {
    require(
        pathAndQuery.startsWith("/"), "path '" + pathAndQuery + "' must start with '/' to fetch");
    Context context = vertx.getOrCreateContext();
    Fetch fetch = new Fetch(context, pathAndQuery, listener);
    if (Vertx.currentContext() == context) {
      fetch.tryNextUpstream();
    } else {
      context.runOnContext(v -> fetch.tryNextUpstream());
    }
  }

  @Override
  public Future<Void> close() {
    return Future.all(upstreams.stream().map(Upstream::close).toList()).mapEmpty();
  }

  /** One fetch: the walk along the upstreams until one answers or all failed. */
  private final class Fetch {
    private final Context context;
    private final String pathAndQuery;
    private final UpstreamListener listener;

    /** Why each upstream tried (or skipped) so far did not answer, in order. */
    private final Map<Upstream, String> failures = new LinkedHashMap<>();

    private int nextUpstream;
    private boolean attempted;
    private Cause lastCause = Cause.CIRCUIT_OPEN;

    Fetch(Context context, String pathAndQuery, UpstreamListener listener) {
      this.context = context;
      this.pathAndQuery = pathAndQuery;
      this.listener = listener;
    }

    void tryNextUpstream() {
      while (nextUpstream < upstreams.size()) {
        Upstream upstream = upstreams.get(nextUpstream++);
        Admission admission = upstream.breaker().admit();
        if (admission == Admission.REFUSED) {
          upstream.metrics().error(Cause.CIRCUIT_OPEN);
          failures.put(upstream, "circuit open");
          continue;
        }
        attempted = true;
        new Attempt(this, upstream, admission).start();
        return;
      }
      if (!attempted) {
        attempted = true;
        Upstream oldest =
            upstreams.stream().min(Comparator.comparing(u -> u.breaker().openedAt())).orElseThrow();
        new Attempt(this, oldest, oldest.breaker().force()).start();
        return;
      }
      String reasons =
          failures.entrySet().stream()
              .map(e -> e.getKey().name() + " " + e.getValue())
              .collect(Collectors.joining("; "));
      listener.onError(new UpstreamException(lastCause, "all upstreams failed: " + reasons));
    }

    /** The attempt on {@code upstream} failed before a head: note why, move on. */
    void failedOver(Upstream upstream, Admission admission, Cause cause, String reason) {
      lastCause = cause;
      failures.put(
          upstream,
          admission == Admission.FORCED ? reason + " (circuit open, tried anyway)" : reason);
      tryNextUpstream();
    }

    /** Runs {@code handler} on the fetch's context (directly when already there). */
    <T> Handler<T> onContext(Handler<T> handler) {
      return value -> {
        if (Vertx.currentContext() == context) {
          handler.handle(value);
        } else {
          context.runOnContext(v -> handler.handle(value));
        }
      };
    }
  }

  /** One request to one upstream, from connecting to the end of the body. */
  private final class Attempt {
    private final Fetch fetch;
    private final Upstream upstream;
    private final Admission admission;

    private HttpClientRequest request;
    private long sentAtNanos;
    private long timer = -1;
    private boolean headReceived;
    private boolean finished;
    private long expectedBytes = -1;
    private long receivedBytes;

    Attempt(Fetch fetch, Upstream upstream, Admission admission) {
      this.fetch = fetch;
      this.upstream = upstream;
      this.admission = admission;
    }

    void start() {
      upstream
          .client()
          .request(upstream.get(fetch.pathAndQuery, connectTimeout))
          .onComplete(
              fetch.onContext(
                  connected -> {
                    if (connected.failed()) {
                      failBeforeHead(Cause.CONNECT, connectFailure(connected.cause()));
                    } else {
                      send(connected.result());
                    }
                  }));
    }

    private void send(HttpClientRequest sent) {
      request = sent;
      sentAtNanos = System.nanoTime();
      armTimer(
          firstByteTimeoutMillis,
          () -> {
            failBeforeHead(
                Cause.FIRST_BYTE_TIMEOUT,
                "sent no response head within " + firstByteTimeoutMillis + " ms");
            request.reset();
          });
      request
          .send()
          .onComplete(
              fetch.onContext(
                  answered -> {
                    if (finished) {
                      return;
                    }
                    if (answered.failed()) {
                      failBeforeHead(
                          Cause.RESET,
                          "closed the connection before answering ("
                              + describe(answered.cause())
                              + ")");
                    } else {
                      onResponse(answered.result());
                    }
                  }));
    }

    private void onResponse(HttpClientResponse response) {
      cancelTimer();
      headReceived = true;
      upstream.metrics().firstByte(System.nanoTime() - sentAtNanos);
      int status = response.statusCode();
      upstream.metrics().answered(status);
      if (!isAnswer(status)) {
        discardBody(response);
        failBeforeHead(status >= 500 ? Cause.STATUS_5XX : Cause.OTHER, "answered " + status);
        return;
      }
      expectedBytes = hasBody(status) ? contentLength(response) : -1;
      // The idle timer runs from the head to the first chunk; handlers are set after onHead, in
      // the same event-loop turn, so no chunk can overtake the head.
      armIdleTimer();
      fetch.listener.onHead(new UpstreamResponse(status, response.headers(), upstream.base()));
      response.handler(fetch.onContext(this::onChunk));
      response.exceptionHandler(
          fetch.onContext(
              e -> failAfterHead(Cause.RESET, "broke off the body (" + describe(e) + ")")));
      response.endHandler(fetch.onContext(v -> onBodyEnd()));
    }

    private void onChunk(Buffer chunk) {
      if (finished) {
        return;
      }
      receivedBytes += chunk.length();
      if (expectedBytes >= 0 && receivedBytes > expectedBytes) {
        failAfterHead(
            Cause.TRUNCATED,
            "sent more than the announced Content-Length of " + expectedBytes + " bytes");
        request.reset();
        return;
      }
      armIdleTimer();
      fetch.listener.onChunk(chunk);
    }

    private void onBodyEnd() {
      if (finished) {
        return;
      }
      if (expectedBytes >= 0 && receivedBytes != expectedBytes) {
        failAfterHead(
            Cause.TRUNCATED,
            "ended the body after "
                + receivedBytes
                + " of the announced "
                + expectedBytes
                + " bytes");
        return;
      }
      finished = true;
      cancelTimer();
      upstream.breaker().succeeded(admission);
      fetch.listener.onEnd();
    }

    private void armIdleTimer() {
      armTimer(
          idleTimeoutMillis,
          () -> {
            failAfterHead(Cause.IDLE_TIMEOUT, "sent nothing for " + idleTimeoutMillis + " ms");
            request.reset();
          });
    }

    /*
     * The failure paths below mark the attempt finished before anything else happens, so that
     * resetting the request afterwards (which fails it synchronously) is not reported twice.
     */

    private void failBeforeHead(Cause cause, String reason) {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimer();
      if (!headReceived) {
        upstream.metrics().unanswered();
      }
      upstream.metrics().error(cause);
      upstream.breaker().failed(admission);
      fetch.failedOver(upstream, admission, cause, reason);
    }

    private void failAfterHead(Cause cause, String reason) {
      if (finished) {
        return;
      }
      finished = true;
      cancelTimer();
      upstream.metrics().error(cause);
      upstream.breaker().failed(admission);
      fetch.listener.onError(
          new UpstreamException(
              cause,
              upstream.name()
                  + fetch.pathAndQuery
                  + " "
                  + reason
                  + " after "
                  + receivedBytes
                  + " body bytes"));
    }

    /**
     * Reads and drops an unwanted body so the connection can return to the pool; a body that stalls
     * for the idle timeout costs its connection instead.
     */
    private void discardBody(HttpClientResponse response) {
      long[] drainTimer = {vertx.setTimer(idleTimeoutMillis, t -> request.reset())};
      response.handler(
          fetch.onContext(
              chunk -> {
                vertx.cancelTimer(drainTimer[0]);
                drainTimer[0] = vertx.setTimer(idleTimeoutMillis, t -> request.reset());
              }));
      response.endHandler(fetch.onContext(v -> vertx.cancelTimer(drainTimer[0])));
      response.exceptionHandler(fetch.onContext(e -> vertx.cancelTimer(drainTimer[0])));
    }

    private void armTimer(long millis, Runnable onTimeout) {
      cancelTimer();
      timer =
          vertx.setTimer(
              millis,
              fetch.onContext(
                  id -> {
                    if (id == timer && !finished) {
                      onTimeout.run();
                    }
                  }));
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }

  /** Statuses that are answers to pass on; anything else makes the fetch try the next upstream. */
  private static boolean isAnswer(int status) {
    return (status >= 200 && status < 300) || status == 304 || status == 404 || status == 410;
  }

  private static boolean hasBody(int status) {
    return status != 204 && status != 304;
  }

  /** The announced body length, or -1 when the body is chunked or delimited by the close. */
  private static long contentLength(HttpClientResponse response) {
    String transferEncoding = response.getHeader(HttpHeaders.TRANSFER_ENCODING);
    String length = response.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (transferEncoding != null || length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String connectFailure(Throwable cause) {
    if (cause instanceof ConnectException
        && cause.getMessage() != null
        && cause.getMessage().contains("refused")) {
      return "connection refused";
    }
    return "could not connect (" + describe(cause) + ")";
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requirePositive(Duration duration, String what) {
    require(
        !duration.isNegative() && !duration.isZero(), what + " must be positive, got " + duration);
  }
}
