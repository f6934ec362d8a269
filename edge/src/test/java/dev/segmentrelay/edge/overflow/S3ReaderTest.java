package dev.segmentrelay.edge.overflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.s3.S3Credentials;
import dev.segmentrelay.common.s3.S3Settings;
import dev.segmentrelay.common.s3.S3Store;
import dev.segmentrelay.common.s3.S3StoreException;
import dev.segmentrelay.common.testing.ScriptedHttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link S3Reader} against a scripted "S3" on loopback: a body that arrives in many chunks is
 * checked on the way and handed on whole in one direct buffer; anything short, long, damaged or
 * without a Content-Length is a failure (the edge then goes upstream), never a body.
 */
class S3ReaderTest {
  private static final String KEY = "segments/room1/720p/seg_7.ts";
  private static final byte[] BODY = new byte[300_000]; // several socket reads

  static {
    new Random(7).nextBytes(BODY);
  }

  private ScriptedHttpServer s3;
  private Vertx vertx;
  private S3Store store;
  private S3Reader reader;

  @BeforeEach
  void start() {
    s3 = ScriptedHttpServer.start();
    vertx = Vertx.vertx();
    S3Settings settings =
        S3Settings.of(URI.create(s3.baseUrl()), "bucket", S3Credentials.of("id", "secret"));
    store = S3Store.open(settings, new SimpleMeterRegistry());
    reader = new S3Reader(vertx, store, Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    reader.close();
    store.close();
    vertx.close().await();
    s3.close();
  }

  @Test
  void aWholeObjectArrivingInChunksIsHandedOnInOneDirectBuffer() throws Exception {
    s3.otherwise(object(BODY, BODY.length, crc(BODY)));
    Outcome outcome = read();
    assertThat(outcome.failure).isNull();
    assertThat(outcome.body.getBytes()).isEqualTo(BODY);
    assertThat(((BufferInternal) outcome.body).getByteBuf().isDirect()).isTrue();
    assertThat(s3.requestLog()).singleElement().asString().contains("/bucket/" + KEY);
  }

  @Test
  void aDamagedObjectIsAFailureNamingTheChecksum() throws Exception {
    byte[] damaged = BODY.clone();
    damaged[150_000] ^= 1;
    s3.otherwise(object(damaged, BODY.length, crc(BODY)));
    Outcome outcome = read();
    assertThat(outcome.body).isNull();
    assertThat(outcome.failure.kind()).isEqualTo(S3StoreException.Kind.INCOMPLETE);
    assertThat(outcome.failure.getMessage()).contains("CRC32C");
  }

  @Test
  void anObjectShorterThanWrittenIsAFailure() throws Exception {
    byte[] cut = java.util.Arrays.copyOf(BODY, 200_000);
    s3.otherwise(object(cut, BODY.length, crc(BODY)));
    Outcome outcome = read();
    assertThat(outcome.body).isNull();
    assertThat(outcome.failure.kind()).isEqualTo(S3StoreException.Kind.INCOMPLETE);
    assertThat(outcome.failure.getMessage()).contains("relay-length");
  }

  @Test
  void aBodyCutOffBeforeContentLengthIsAFailure() throws Exception {
    s3.otherwise(ScriptedHttpServer.truncated(BODY, 100_000));
    Outcome outcome = read();
    assertThat(outcome.body).isNull();
    assertThat(outcome.failure).isNotNull();
  }

  @Test
  void anAnswerWithoutContentLengthIsAFailureNotAGuess() throws Exception {
    s3.otherwise(
        (request, v) ->
            request
                .response()
                .setChunked(true)
                .putHeader("Content-Type", "video/mp2t")
                .end(Buffer.buffer(BODY)));
    Outcome outcome = read();
    assertThat(outcome.body).isNull();
    assertThat(outcome.failure.kind()).isEqualTo(S3StoreException.Kind.INCOMPLETE);
    assertThat(outcome.failure.getMessage()).contains("Content-Length");
  }

  @Test
  void aTricklingAnswerFailsAtTheLookupTimeoutAndIsCutOff() throws Exception {
    CompletableFuture<Void> finished = new CompletableFuture<>();
    // A byte every 100 ms keeps an idle timeout quiet; the whole-read deadline still fires.
    s3.otherwise(
        ScriptedHttpServer.slow(
            BODY, Duration.ZERO, 40, Duration.ofMillis(100), new CompletableFuture<>(), finished));
    reader.close();
    reader = new S3Reader(vertx, store, Duration.ofMillis(400));
    Outcome outcome = read();
    assertThat(outcome.body).isNull();
    assertThat(outcome.failure.kind()).isEqualTo(S3StoreException.Kind.TIMEOUT);
    assertThat(outcome.failure.getMessage()).contains("400 ms");
    assertThat(finished)
        .as("the reader closed the connection: the server's writes fail")
        .failsWithin(Duration.ofSeconds(10));
  }

  @Test
  void statusesAreClassified() throws Exception {
    s3.otherwise(ScriptedHttpServer.status(404));
    assertThat(read().missing).isTrue();
    s3.otherwise(ScriptedHttpServer.status(403));
    assertThat(read().failure.kind()).isEqualTo(S3StoreException.Kind.FORBIDDEN);
    s3.otherwise(ScriptedHttpServer.status(503));
    assertThat(read().failure.kind()).isEqualTo(S3StoreException.Kind.SERVER);
  }

  /** A 200 carrying {@code body}, with the length and checksum that S3Store.put would record. */
  private static ScriptedHttpServer.Responder object(byte[] body, long writtenLength, String crc) {
    return (request, v) -> {
      HttpServerResponse response =
          request
              .response()
              .putHeader("Content-Type", "video/mp2t")
              .putHeader("x-amz-meta-relay-length", Long.toString(writtenLength))
              .putHeader("x-amz-meta-relay-crc32c", crc);
      response.end(Buffer.buffer(body));
    };
  }

  private static String crc(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    return String.format("%08x", crc.getValue());
  }

  private Outcome read() throws Exception {
    CompletableFuture<Outcome> done = new CompletableFuture<>();
    vertx.runOnContext(
        v ->
            reader.get(
                KEY,
                new S3Reader.Result() {
                  @Override
                  public void found(Buffer body, HttpClientResponse head) {
                    done.complete(new Outcome(body, false, null));
                  }

                  @Override
                  public void missing() {
                    done.complete(new Outcome(null, true, null));
                  }

                  @Override
                  public void failed(S3StoreException why) {
                    done.complete(new Outcome(null, false, why));
                  }
                }));
    return done.get(10, TimeUnit.SECONDS);
  }

  private record Outcome(Buffer body, boolean missing, S3StoreException failure) {}
}
