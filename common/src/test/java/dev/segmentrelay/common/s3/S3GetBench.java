package dev.segmentrelay.common.s3;

import dev.segmentrelay.common.testing.S3ProxyPeer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Latency of an S3-tier hit on loopback: {@link S3Store#get} of a 1 MiB and a 100 KiB object from
 * S3Proxy (child JVM, filesystem backend), one caller, sequential, after a warm-up. For attribution
 * it also times the bare SDK call (same client settings, no pool hop, no checksum) and the CRC32C
 * alone. Run by {@code bench/s3-store.sh}; prints Markdown table rows.
 *
 * <p>Arguments: {@code WORK_DIR [ITERATIONS]}; system property {@code relay.s3proxy.jar}.
 */
public final class S3GetBench {
  private S3GetBench() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    Files.createDirectories(work);
    try (S3ProxyPeer s3 = S3ProxyPeer.start(work);
        S3Store store = S3Store.open(s3.settings(), new SimpleMeterRegistry());
        S3Client raw = S3Store.buildClient(s3.settings(), S3Store.Options.defaults())) {
      System.out.println("| object | path | p50 | p90 | p99 | mean |");
      System.out.println("| --- | --- | ---: | ---: | ---: | ---: |");
      for (int size : new int[] {100 * 1024, 1024 * 1024}) {
        String label = size >= 1024 * 1024 ? (size >> 20) + " MiB" : (size >> 10) + " KiB";
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        String key = "bench/seg-" + size + ".ts";
        store.put(key, body, "video/mp2t", Map.of()).get(10, TimeUnit.SECONDS);
        String bucket = s3.settings().bucket();
        URL presigned;
        try (S3Presigner presigner =
            S3Presigner.builder()
                .endpointOverride(s3.settings().endpoint())
                .region(Region.of(s3.settings().region()))
                .serviceConfiguration(
                    S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                            s3.settings().credentials().accessKeyId(),
                            s3.settings().credentials().secretAccessKey())))
                .build()) {
          presigned =
              presigner
                  .presignGetObject(
                      r ->
                          r.signatureDuration(Duration.ofHours(1))
                              .getObjectRequest(g -> g.bucket(bucket).key(key)))
                  .url();
        }
        LongSupplier viaStore =
            () -> {
              try {
                return store.get(key).get(10, TimeUnit.SECONDS).orElseThrow().body().length;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            };
        LongSupplier viaSdk =
            () -> raw.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArrayUnsafe().length;
        LongSupplier viaUrl =
            () -> {
              try (InputStream in = presigned.openStream()) {
                return in.readAllBytes().length;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            };
        // Each path twice, interleaved, so that S3Proxy's own JIT warm-up favours none of them.
        for (int round = 1; round <= 2; round++) {
          row(label, "S3Store.get (pool hop + SDK + CRC32C), round " + round, iterations, viaStore);
          row(label, "SDK getObjectAsBytes only, round " + round, iterations, viaSdk);
          row(label, "presigned URL, HttpURLConnection, round " + round, iterations, viaUrl);
        }
        row(label, "CRC32C only", iterations, () -> BodyChecksum.crc32c(body).length());
      }
    }
  }

  private static void row(String object, String path, int iterations, LongSupplier op) {
    for (int i = 0; i < Math.max(500, iterations / 2); i++) {
      op.getAsLong();
    }
    long[] nanos = new long[iterations];
    for (int i = 0; i < iterations; i++) {
      long start = System.nanoTime();
      op.getAsLong();
      nanos[i] = System.nanoTime() - start;
    }
    Arrays.sort(nanos);
    double mean = Arrays.stream(nanos).average().orElse(0);
    System.out.printf(
        "| %s | %s | %s | %s | %s | %s |%n",
        object,
        path,
        ms(nanos[iterations / 2]),
        ms(nanos[(int) (iterations * 0.9)]),
        ms(nanos[(int) (iterations * 0.99)]),
        ms((long) mean));
  }

  private static String ms(long nanos) {
    return String.format("%.3f ms", nanos / 1e6);
  }
}
