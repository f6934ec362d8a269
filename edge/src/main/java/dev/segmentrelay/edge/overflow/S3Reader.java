package dev.segmentrelay.edge.overflow;

import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.s3.S3StoreException;
import dev.segmentrelay.edge.upstream.PeerClients;
import dev.segmentrelay.edge.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.buffer.BufferInternal;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads overflow objects for a memory miss straight from the edge's event loop: a presigned GET
 * ({@link S3Store#presignGet}) over a pooled keep-alive Vert.x client, so an S3-tier hit costs one
 * request on an open connection and no thread hop (the store's SDK path runs on a thread pool and
 * blocking transport, several times slower per GET on loopback).
 *
 * <p>The body is received into one direct buffer and checked as it arrives ({@link
 * S3Store#bodyCheck}: Content-Length, the length and CRC32C written with it); only a whole, checked
 * body is handed on, so a damaged or cut object is a failure the caller answers from upstream,
 * never a broken answer. Outcomes feed the store's metrics and availability ({@link
 * S3Store#recordRead}).
 *
 * <p>Callbacks run on the caller's Vert.x context (the client's own behaviour), once.
 */
final class S3Reader {
  private static final int MAX_CONNECTIONS = 16;

  /** Larger answers are refused (and fetched upstream): no segment the edge evicts comes close. */
  private static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

  /** What a read found. */
  interface Result {
    /** The whole, verified object. */
    void found(Buffer body, HttpClientResponse head);

    /** There is no such object. */
    void missing();

    /** S3 did not give a usable answer (unreachable, slow, 4xx/5xx, damaged body). */
    void failed(S3StoreException why);
  }

  private final Vertx vertx;
  private final S3Store store;
  private final HttpClient client;
  private final long timeoutMillis;

  /**
   * @param timeout longest a read may take, answer and whole body; then it fails as {@code TIMEOUT}
   *     and its connection is closed
   */
  S3Reader(Vertx vertx, S3Store store, Duration timeout) {
    this.vertx = vertx;
    this.store = store;
    this.timeoutMillis = timeout.toMillis();
    this.client =
        PeerClients.keepAlive(
            vertx,
            "https".equals(store.settings().endpoint().getScheme()),
            store.settings().connectTimeout(),
            MAX_CONNECTIONS);
  }

  /** GETs {@code key} (relative to the store's prefix). Call on a Vert.x context. */
  void get(String key, Result result) {
    long start = System.nanoTime();
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setAbsoluteURI(store.presignGet(key).toString());
    Once once = new Once(result, start);
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    // One deadline for answer and body: an idle timeout would let a trickling S3 hold a viewer.
    once.timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              if (once.failed(
                  S3StoreException.Kind.TIMEOUT,
                  "no whole answer within " + timeoutMillis + " ms (lookup timeout)")) {
                HttpClientRequest r = sent.get();
                if (r != null) {
                  r.reset(); // abandons the answer and closes its connection
                }
              }
            });
    client
        .request(request)
        .compose(
            r -> {
              sent.set(r);
              return r.send();
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                once.failed(classify(ar.cause()), ar.cause().toString());
                return;
              }
              HttpClientResponse response = ar.result();
              response.exceptionHandler(
                  e -> once.failed(S3StoreException.Kind.IO, "body broke off: " + e));
              if (response.statusCode() == 404) {
                response.handler(b -> {});
                response.endHandler(v -> once.missing());
                return;
              }
              if (response.statusCode() != 200) {
                response.handler(b -> {});
                int status = response.statusCode();
                response.endHandler(
                    v ->
                        once.failed(
                            status == 403
                                ? S3StoreException.Kind.FORBIDDEN
                                : status >= 500
                                    ? S3StoreException.Kind.SERVER
                                    : S3StoreException.Kind.CLIENT,
                            "S3 answered " + status));
                return;
              }
              receive(response, once);
            });
  }

  /**
   * Copies the 200 answer's body as it arrives into one direct buffer sized by Content-Length (the
   * memory tier keeps it as it is) and checks it on the way ({@link S3Store#bodyCheck}), so the end
   * of the body is the moment it can be served: no aggregation, second pass or further copy.
   */
  private static void receive(HttpClientResponse response, Once once) {
    String announced = response.getHeader("Content-Length");
    long length = contentLength(announced);
    if (length < 0 || length > MAX_BODY_BYTES) {
      response.handler(b -> {});
      String why =
          length < 0
              ? "answer has no usable Content-Length (" + announced + ")"
              : "object of " + length + " bytes is larger than " + MAX_BODY_BYTES;
      response.endHandler(v -> once.failed(S3StoreException.Kind.INCOMPLETE, why));
      return;
    }
    S3Store.BodyCheck check = S3Store.bodyCheck(length, response::getHeader);
    ByteBuf body;
    try {
      body = UpstreamListener.directBody((int) length);
    } catch (OutOfMemoryError e) {
      response.handler(b -> {});
      response.endHandler(
          v -> once.failed(S3StoreException.Kind.IO, "no direct memory for " + length + " bytes"));
      return;
    }
    response.handler(
        chunk -> {
          ByteBuffer bytes = ((BufferInternal) chunk).getByteBuf().nioBuffer();
          check.update(bytes);
          if (bytes.remaining() <= body.writableBytes()) {
            body.writeBytes(bytes); // beyond Content-Length: counted by the check, not kept
          }
        });
    response.endHandler(
        v -> {
          Optional<String> problem = check.problem();
          if (problem.isPresent()) {
            once.failed(S3StoreException.Kind.INCOMPLETE, problem.get());
          } else {
            once.found(BufferInternal.buffer(body), response);
          }
        });
  }

  private static long contentLength(String value) {
    try {
      return value == null ? -1 : Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static S3StoreException.Kind classify(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        return S3StoreException.Kind.CONNECT;
      }
      if (c instanceof TimeoutException) {
        return S3StoreException.Kind.TIMEOUT;
      }
    }
    return S3StoreException.Kind.IO;
  }

  void close() {
    client.close();
  }

  /** Reports exactly one outcome, to the caller and to the store, and stops the deadline. */
  private final class Once {
    private final Result result;
    private final long start;
    private final AtomicBoolean done = new AtomicBoolean();
    volatile long timer = -1;

    Once(Result result, long start) {
      this.result = result;
      this.start = start;
    }

    private boolean first() {
      if (!done.compareAndSet(false, true)) {
        return false;
      }
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      return true;
    }

    void found(Buffer body, HttpClientResponse head) {
      if (first()) {
        store.recordRead(System.nanoTime() - start, true, Optional.empty());
        result.found(body, head);
      }
    }

    void missing() {
      if (first()) {
        store.recordRead(System.nanoTime() - start, false, Optional.empty());
        result.missing();
      }
    }

    /** True if this was the outcome (nothing was reported before). */
    boolean failed(S3StoreException.Kind kind, String message) {
      if (!first()) {
        return false;
      }
      S3StoreException why =
          new S3StoreException(
              kind, "S3 GET via " + store.settings().describe() + " failed: " + message);
      store.recordRead(System.nanoTime() - start, false, Optional.of(why));
      result.failed(why);
      return true;
    }
  }
}
