package dev.segmentrelay.common.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.S3ProxyPeer;
import dev.segmentrelay.common.testing.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link S3Store} and {@link S3Availability} against a real S3Proxy child process. */
class S3StoreIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static Path work;
  private static S3ProxyPeer s3;

  @BeforeAll
  static void startS3() {
    work = ItWorkDirs.freshDirectory(S3StoreIT.class);
    s3 = S3ProxyPeer.start(work.resolve("shared"));
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static S3StoreException failure(CompletableFuture<?> future) {
    try {
      future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(S3StoreException.class);
      return (S3StoreException) e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure, got a result");
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static double requests(SimpleMeterRegistry registry, String operation, String result) {
    var counter =
        registry
            .find("relay_s3_requests")
            .tag("operation", operation)
            .tag("result", result)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void putThenGetIsByteIdenticalWithContentTypeAndMetadata() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (S3Store store = S3Store.open(s3.settings(), registry)) {
      byte[] body = randomBytes(1024 * 1024 + 17, 1);
      Map<String, String> metadata = Map.of("stream", "room1", "epoch", "3");
      await(store.put("live/room1/seg-1.ts", body, "video/mp2t", metadata));

      S3Object object = await(store.get("live/room1/seg-1.ts")).orElseThrow();
      assertThat(object.body()).isEqualTo(body);
      assertThat(object.contentType()).isEqualTo("video/mp2t");
      assertThat(object.metadata()).isEqualTo(metadata);
      assertThat(object.lastModified()).isNotNull();

      S3ObjectInfo head = await(store.head("live/room1/seg-1.ts")).orElseThrow();
      assertThat(head.size()).isEqualTo(body.length);
      assertThat(head.contentType()).isEqualTo("video/mp2t");
      assertThat(head.metadata()).isEqualTo(metadata);

      assertThat(requests(registry, "put", "ok")).isEqualTo(1);
      assertThat(requests(registry, "get", "ok")).isEqualTo(1);
      assertThat(registry.get("relay_s3_request").tag("operation", "get").timer().count())
          .isEqualTo(1);
    }
  }

  @Test
  void missingObjectIsEmptyAndCountedAsNotFound() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (S3Store store = S3Store.open(s3.settings(), registry)) {
      assertThat(await(store.get("no/such/key.ts"))).isEmpty();
      assertThat(await(store.head("no/such/key.ts"))).isEmpty();
      assertThat(requests(registry, "get", "not_found")).isEqualTo(1);
      assertThat(requests(registry, "head", "not_found")).isEqualTo(1);
      assertThat(store.availability().isUp()).isTrue();
    }
  }

  @Test
  void listReadsEveryPageUnderTheKeyPrefixAndBatchDeleteRemovesAll() {
    S3Settings settings = s3.settings().withKeyPrefix("relay-list");
    S3Store.Options options = S3Store.Options.defaults().withListPageSize(100);
    try (S3Store store = S3Store.open(settings, options, new SimpleMeterRegistry())) {
      List<String> keys =
          IntStream.range(0, 250)
              .mapToObj(i -> String.format("dvr/room1/seg-%05d.ts", i))
              .collect(Collectors.toList());
      List<CompletableFuture<Void>> puts = new ArrayList<>();
      for (String key : keys) {
        puts.add(
            store.put(
                key,
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "video/mp2t",
                Map.of()));
        if (puts.size() == 64) {
          puts.forEach(S3StoreIT::await);
          puts.clear();
        }
      }
      puts.forEach(S3StoreIT::await);
      await(store.put("other/x.ts", new byte[] {1}, "video/mp2t", Map.of()));

      List<S3ObjectSummary> listed = await(store.list("dvr/room1/"));
      assertThat(listed).extracting(S3ObjectSummary::key).containsExactlyElementsOf(keys);
      assertThat(listed.get(0).size()).isEqualTo(keys.get(0).length());
      assertThat(listed.get(0).lastModified()).isNotNull();
      assertThat(s3.objectFile(S3ProxyPeer.BUCKET, "relay-list/other/x.ts")).exists();

      // 1,200 keys: two DeleteObjects batches; keys that do not exist are no error.
      List<String> toDelete = new ArrayList<>(keys);
      IntStream.range(0, 950).forEach(i -> toDelete.add("dvr/room1/never-" + i));
      await(store.delete(toDelete));
      assertThat(await(store.list("dvr/"))).isEmpty();
      assertThat(await(store.list("")))
          .extracting(S3ObjectSummary::key)
          .containsExactly("other/x.ts");
    }
  }

  @Test
  void wrongCredentialsAre403AndAClearStartError() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    S3Settings bad =
        s3.settings()
            .withCredentials(S3Credentials.of(S3ProxyPeer.CREDENTIALS.accessKeyId(), "wrong"));
    try (S3Store store = S3Store.open(bad, registry)) {
      assertThat(failure(store.get("x.ts")).kind()).isEqualTo(S3StoreException.Kind.FORBIDDEN);
      assertThat(requests(registry, "get", "403")).isEqualTo(1);
      S3StoreException start = failure(store.requireUsable(false));
      assertThat(start.kind()).isEqualTo(S3StoreException.Kind.FORBIDDEN);
      assertThat(start.getMessage())
          .startsWith("S3 tier unusable: S3 endpoint " + s3.settings().endpoint())
          .contains("refused access to bucket 'relay-test' (403)")
          .contains("AWS_ACCESS_KEY_ID")
          .doesNotContain("wrong");
    }
  }

  @Test
  void missingBucketIsAClearStartErrorOrIsCreatedOnRequest() {
    S3Settings settings = s3.settings().withBucket("relay-missing-" + System.nanoTime());
    try (S3Store store = S3Store.open(settings, new SimpleMeterRegistry())) {
      S3StoreException start = failure(store.requireUsable(false));
      assertThat(start.kind()).isEqualTo(S3StoreException.Kind.NO_BUCKET);
      assertThat(start.getMessage())
          .isEqualTo(
              "S3 tier unusable: S3 bucket '"
                  + settings.bucket()
                  + "' does not exist at "
                  + settings.endpoint()
                  + ": create it first (e.g. aws --endpoint-url "
                  + settings.endpoint()
                  + " s3 mb s3://"
                  + settings.bucket()
                  + ") or fix --s3-bucket");

      await(store.requireUsable(true));
      await(store.put("a.ts", new byte[] {1, 2, 3}, "video/mp2t", Map.of()));
      assertThat(await(store.get("a.ts")).orElseThrow().body()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void unreachableEndpointIsAClearStartError() {
    int closedPort = dev.segmentrelay.common.testing.FreePorts.find();
    S3Settings settings =
        S3Settings.of(
            URI.create("http://127.0.0.1:" + closedPort), "relay-test", S3ProxyPeer.CREDENTIALS);
    try (S3Store store = S3Store.open(settings, new SimpleMeterRegistry())) {
      S3StoreException start = failure(store.requireUsable(false));
      assertThat(start.kind()).isEqualTo(S3StoreException.Kind.CONNECT);
      assertThat(start.getMessage())
          .startsWith(
              "S3 tier unusable: S3 endpoint http://127.0.0.1:" + closedPort + " is unreachable")
          .endsWith("start the S3 server or fix --s3-endpoint");
    }
  }

  @Test
  void objectCutShortOnDiskIsNeverReturnedAsComplete() throws IOException {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (S3Store store = S3Store.open(s3.settings(), registry)) {
      byte[] body = randomBytes(100 * 1024, 2);
      await(store.put("cut/seg-7.ts", body, "video/mp2t", Map.of()));
      Path file = s3.objectFile(S3ProxyPeer.BUCKET, "cut/seg-7.ts");
      assertThat(Files.size(file)).isEqualTo(body.length);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(body.length / 2);
      }
      S3StoreException error = failure(store.get("cut/seg-7.ts"));
      assertThat(error.kind()).isEqualTo(S3StoreException.Kind.INCOMPLETE);
      assertThat(error.getMessage()).contains("cut/seg-7.ts").contains("not complete");
      assertThat(requests(registry, "get", "incomplete")).isEqualTo(1);
      // Damaged in place with the same length: the checksum catches it.
      await(store.put("cut/seg-8.ts", body, "video/mp2t", Map.of()));
      Path file8 = s3.objectFile(S3ProxyPeer.BUCKET, "cut/seg-8.ts");
      byte[] damaged = Files.readAllBytes(file8);
      damaged[1234] ^= 0x40;
      Files.write(file8, damaged);
      assertThat(failure(store.get("cut/seg-8.ts")).getMessage()).contains("CRC32C");
      assertThat(store.availability().isUp()).isTrue();
    }
  }

  @Test
  void killedS3GoesDownFailsFastAndComesBackUpAfterRestart() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (S3ProxyPeer own = S3ProxyPeer.start(work.resolve("killed"));
        S3Store store =
            S3Store.open(
                own.settings(),
                S3Store.Options.defaults()
                    .withProbeBackoff(Duration.ofMillis(200), Duration.ofSeconds(1)),
                registry)) {
      byte[] body = randomBytes(4096, 3);
      await(store.put("k/seg-1.ts", body, "video/mp2t", Map.of()));

      own.kill();
      for (int i = 0; i < 3; i++) {
        S3StoreException e = failure(store.get("k/seg-1.ts"));
        assertThat(e.kind()).isIn(S3StoreException.Kind.CONNECT, S3StoreException.Kind.IO);
      }
      assertThat(store.availability().isUp()).isFalse();
      assertThat(registry.get("relay_s3_up").gauge().value()).isZero();

      // While down, a call fails before it returns: no thread of the caller waits on S3.
      CompletableFuture<Optional<S3Object>> skipped = store.get("k/seg-1.ts");
      assertThat(skipped).isCompletedExceptionally();
      assertThat(failure(skipped).kind()).isEqualTo(S3StoreException.Kind.UNAVAILABLE);
      assertThat(failure(store.put("k/seg-2.ts", body, "video/mp2t", Map.of())).kind())
          .isEqualTo(S3StoreException.Kind.UNAVAILABLE);
      assertThat(requests(registry, "get", "skipped")).isEqualTo(1);

      own.restart();
      Waits.until("S3 tier up again", WAIT, () -> store.availability().isUp());
      assertThat(registry.get("relay_s3_up").gauge().value()).isEqualTo(1.0);
      assertThat(await(store.get("k/seg-1.ts")).orElseThrow().body()).isEqualTo(body);
    }
  }
}
