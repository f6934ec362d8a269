package dev.segmentrelay.common.s3;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The one S3 client layer of the relay: the origin archive and the edge overflow tier both call S3
 * through this class and nothing else.
 *
 * <p>Threading: the AWS SDK's URL-connection transport is synchronous, so every call runs on a
 * small fixed pool owned by the store ({@link Options#threads()}) behind a bounded queue, reads
 * ({@code get}, {@code head}) on a pool of their own so that a viewer's lookup never queues behind
 * archive or overflow writes (a PUT waits for the store's disk); callers get a {@link
 * CompletableFuture} at once and are never blocked. A full queue fails the call at once ({@link
 * S3StoreException.Kind#BUSY}) instead of queueing without bound. The JDK keeps idle connections
 * alive between calls (one per pool thread, within {@code http.maxConnections}), so a GET on a warm
 * store costs one request on an open connection.
 *
 * <p>Failures: every failure is an {@link S3StoreException} with a {@link S3StoreException.Kind};
 * "not found" is not a failure but an empty {@link Optional}. Outage kinds feed {@link
 * S3Availability}; while it says down, calls fail at once with {@code UNAVAILABLE} (no network),
 * and only its background probe ({@link #checkBucket()}) goes out.
 *
 * <p>Integrity: {@link #put} stores the length and CRC32C of the body in user metadata; {@link
 * #get} verifies both and the Content-Length, and a short or damaged body fails with {@code
 * INCOMPLETE}: a partial object is never returned as complete.
 *
 * <p>Metrics: {@code relay_s3_requests_total{operation,result}} (result {@code ok}, {@code
 * not_found} or {@link S3StoreException.Kind#label()}), {@code relay_s3_request_seconds{operation}}
 * (with a percentile histogram) and {@code relay_s3_up}.
 *
 * <p>Keys given to and returned by the store are relative to {@link S3Settings#keyPrefix()}.
 */
public final class S3Store implements AutoCloseable {
  /** Deletes are sent in batches of this many keys (the S3 limit of one DeleteObjects). */
  static final int DELETE_BATCH = 1000;

  /**
   * Tuning of the store.
   *
   * @param threads calls running at once (each holds one connection)
   * @param queueCapacity calls waiting for a thread before new ones fail with {@code BUSY}
   * @param listPageSize keys asked for per ListObjectsV2 page (at most 1000)
   * @param maxAttempts attempts per call, first included (the SDK retries 5xx and I/O errors)
   * @param failureThreshold outage failures in a row that mark S3 down
   * @param minProbeBackoff first probe delay once down
   * @param maxProbeBackoff longest probe delay
   */
  public record Options(
      int threads,
      int queueCapacity,
      int listPageSize,
      int maxAttempts,
      int failureThreshold,
      Duration minProbeBackoff,
      Duration maxProbeBackoff) {
    public Options {
      check(threads >= 1 && threads <= 64, "S3 store threads must be 1..64, was " + threads);
      check(queueCapacity >= 1, "S3 store queue capacity must be positive, was " + queueCapacity);
      check(
          listPageSize >= 1 && listPageSize <= 1000,
          "S3 list page size must be 1..1000, was " + listPageSize);
      check(maxAttempts >= 1, "S3 max attempts must be at least 1, was " + maxAttempts);
    }

    public static Options defaults() {
      return new Options(4, 256, 1000, 2, 3, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public Options withListPageSize(int size) {
      return new Options(
          threads,
          queueCapacity,
          size,
          maxAttempts,
          failureThreshold,
          minProbeBackoff,
          maxProbeBackoff);
    }

    public Options withProbeBackoff(Duration min, Duration max) {
      return new Options(
          threads, queueCapacity, listPageSize, maxAttempts, failureThreshold, min, max);
    }

    private static void check(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  private final S3Settings settings;
  private final Options options;
  private final S3Client client;
  private final S3Presigner presigner;
  private final ThreadPoolExecutor executor;
  private final ThreadPoolExecutor reads;
  private final ScheduledExecutorService probes;
  private final S3Availability availability;
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  private S3Store(S3Settings settings, Options options, MeterRegistry registry, Clock clock) {
    this.settings = settings;
    this.options = options;
    this.registry = registry;
    this.client = buildClient(settings, options);
    this.presigner = buildPresigner(settings);
    AtomicInteger threadIds = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            options.threads(),
            options.threads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.queueCapacity()),
            r -> daemon(r, "s3-store-" + threadIds.incrementAndGet()),
            new ThreadPoolExecutor.AbortPolicy());
    AtomicInteger readIds = new AtomicInteger();
    this.reads =
        new ThreadPoolExecutor(
            options.threads(),
            options.threads(),
            60,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(options.queueCapacity()),
            r -> daemon(r, "s3-store-read-" + readIds.incrementAndGet()),
            new ThreadPoolExecutor.AbortPolicy());
    this.probes = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "s3-probe"));
    this.availability =
        new S3Availability(
            settings.describe(),
            this::checkBucket,
            clock,
            (task, delay) -> probes.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
            options.failureThreshold(),
            options.minProbeBackoff(),
            options.maxProbeBackoff(),
            registry);
  }

  /** A store with {@link Options#defaults()}. */
  public static S3Store open(S3Settings settings, MeterRegistry registry) {
    return open(settings, Options.defaults(), registry);
  }

  public static S3Store open(S3Settings settings, Options options, MeterRegistry registry) {
    return new S3Store(settings, options, registry, Clock.systemUTC());
  }

  private static AwsCredentials awsCredentials(S3Settings settings) {
    return settings.credentials().sessionToken().isPresent()
        ? AwsSessionCredentials.create(
            settings.credentials().accessKeyId(),
            settings.credentials().secretAccessKey(),
            settings.credentials().sessionToken().get())
        : AwsBasicCredentials.create(
            settings.credentials().accessKeyId(), settings.credentials().secretAccessKey());
  }

  static S3Client buildClient(S3Settings settings, Options options) {
    AwsCredentials credentials = awsCredentials(settings);
    return S3Client.builder()
        .httpClient(
            UrlConnectionHttpClient.builder()
                .connectionTimeout(settings.connectTimeout())
                .socketTimeout(settings.callTimeout())
                .build())
        .endpointOverride(settings.endpoint())
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.pathStyle())
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        // Our own CRC32C covers bodies; the SDK's flexible checksums (aws-chunked trailers) are
        // not understood by every S3-compatible server.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .overrideConfiguration(
            c ->
                c.apiCallTimeout(settings.callTimeout())
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder()
                            .maxAttempts(options.maxAttempts())
                            .build()))
        .build();
  }

  static S3Presigner buildPresigner(S3Settings settings) {
    return S3Presigner.builder()
        .endpointOverride(settings.endpoint())
        .region(Region.of(settings.region()))
        .serviceConfiguration(
            S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build())
        .credentialsProvider(StaticCredentialsProvider.create(awsCredentials(settings)))
        .build();
  }

  public S3Settings settings() {
    return settings;
  }

  /** How long a {@link #presignGet} URL stays valid. */
  public static final Duration PRESIGN_VALIDITY = Duration.ofMinutes(15);

  /**
   * A presigned GET URL of {@code key}, for a caller that reads with its own non-blocking HTTP
   * client (the edge's overflow tier, on its event loop: no thread hop, no blocking transport). It
   * checks the body with {@link #verify} and reports the outcome with {@link #recordRead}; while S3
   * is down it should not ask ({@link S3Availability#isUp()}).
   */
  public URI presignGet(String key) {
    String fullKey = fullKey(key);
    try {
      return presigner
          .presignGetObject(
              r ->
                  r.signatureDuration(PRESIGN_VALIDITY)
                      .getObjectRequest(g -> g.bucket(settings.bucket()).key(fullKey)))
          .url()
          .toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("presigned URL of " + fullKey + " is not a URI", e);
    }
  }

  /**
   * The check of a body read through {@link #presignGet}, made as it arrives: against the announced
   * Content-Length and the length and CRC32C that {@link #put} stored as {@code
   * x-amz-meta-relay-length} / {@code x-amz-meta-relay-crc32c}. Feed every chunk to {@link
   * BodyCheck#update}, then ask {@link BodyCheck#problem}.
   *
   * @param contentLength the announced Content-Length, or null
   * @param header the answer's header by (case-insensitive) name, null when absent
   */
  public static BodyCheck bodyCheck(Long contentLength, Function<String, String> header) {
    Map<String, String> stored = new HashMap<>();
    for (String key : List.of(BodyChecksum.LENGTH_KEY, BodyChecksum.CRC32C_KEY)) {
      String value = header.apply("x-amz-meta-" + key);
      if (value != null) {
        stored.put(key, value.trim());
      }
    }
    return new BodyCheck(new BodyChecksum.Running(contentLength, stored));
  }

  /** A body checked chunk by chunk ({@link #bodyCheck}); one reader, not thread-safe. */
  public static final class BodyCheck {
    private final BodyChecksum.Running running;

    private BodyCheck(BodyChecksum.Running running) {
      this.running = running;
    }

    /** Counts and checksums {@code chunk}'s remaining bytes; its position is left unchanged. */
    public void update(ByteBuffer chunk) {
      running.update(chunk);
    }

    public long received() {
      return running.received();
    }

    /** Why the bytes so far are not the complete object, or empty when they are. */
    public Optional<String> problem() {
      return running.problem();
    }
  }

  /**
   * Counts a read made through {@link #presignGet} in this store's metrics ({@code
   * operation="get"}) and availability, as if {@link #get} had made it.
   *
   * @param failure empty for an answer (found or not), else what went wrong
   */
  public void recordRead(long nanos, boolean found, Optional<S3StoreException> failure) {
    timer("get").record(nanos, TimeUnit.NANOSECONDS);
    if (failure.isPresent()) {
      count("get", failure.get().kind().label());
      availability.recordFailure(failure.get());
    } else {
      count("get", found ? "ok" : "not_found");
      availability.recordSuccess();
    }
  }

  public S3Availability availability() {
    return availability;
  }

  /** Stores {@code body} under {@code key} (overwriting), with its length and CRC32C. */
  public CompletableFuture<Void> put(
      String key, byte[] body, String contentType, Map<String, String> metadata) {
    String fullKey = fullKey(key);
    Map<String, String> stored = BodyChecksum.withChecksum(metadata, body);
    return call(
        "put",
        true,
        () -> {
          client.putObject(
              b ->
                  b.bucket(settings.bucket())
                      .key(fullKey)
                      .contentType(contentType)
                      .contentLength((long) body.length)
                      .metadata(stored),
              RequestBody.fromBytes(body));
          return null;
        });
  }

  /**
   * The whole object, verified; empty if there is none.
   *
   * @return a future that fails with {@code INCOMPLETE} if the body is short or damaged
   */
  public CompletableFuture<Optional<S3Object>> get(String key) {
    String fullKey = fullKey(key);
    return call(
        "get",
        true,
        () -> {
          ResponseBytes<GetObjectResponse> response;
          try {
            response = client.getObjectAsBytes(b -> b.bucket(settings.bucket()).key(fullKey));
          } catch (NoSuchKeyException e) {
            return Optional.empty();
          }
          GetObjectResponse meta = response.response();
          byte[] body = response.asByteArrayUnsafe();
          Map<String, String> stored = meta.metadata();
          Optional<String> problem = BodyChecksum.problem(body, meta.contentLength(), stored);
          if (problem.isPresent()) {
            throw new S3StoreException(
                S3StoreException.Kind.INCOMPLETE,
                "S3 object "
                    + fullKey
                    + " in "
                    + settings.describe()
                    + " is not complete: "
                    + problem.get());
          }
          return Optional.of(
              new S3Object(
                  key,
                  body,
                  meta.contentType(),
                  BodyChecksum.userMetadata(stored),
                  meta.lastModified()));
        });
  }

  /** Size, content type, metadata and last-modified time of an object; empty if there is none. */
  public CompletableFuture<Optional<S3ObjectInfo>> head(String key) {
    String fullKey = fullKey(key);
    return call(
        "head",
        true,
        () -> {
          HeadObjectResponse meta;
          try {
            meta = client.headObject(b -> b.bucket(settings.bucket()).key(fullKey));
          } catch (NoSuchKeyException e) {
            return Optional.empty();
          }
          return Optional.of(
              new S3ObjectInfo(
                  key,
                  meta.contentLength(),
                  meta.contentType(),
                  BodyChecksum.userMetadata(meta.metadata()),
                  meta.lastModified()));
        });
  }

  /** Every object whose key starts with {@code prefix}, all pages, in key order. */
  public CompletableFuture<List<S3ObjectSummary>> list(String prefix) {
    String fullPrefix = fullKey(prefix);
    return call(
        "list",
        true,
        () -> {
          List<S3ObjectSummary> all = new ArrayList<>();
          String token = null;
          do {
            ListObjectsV2Request.Builder request =
                ListObjectsV2Request.builder()
                    .bucket(settings.bucket())
                    .prefix(fullPrefix)
                    .maxKeys(options.listPageSize());
            if (token != null) {
              request.continuationToken(token);
            }
            ListObjectsV2Response page = client.listObjectsV2(request.build());
            for (software.amazon.awssdk.services.s3.model.S3Object o : page.contents()) {
              all.add(
                  new S3ObjectSummary(
                      o.key().substring(settings.keyPrefix().length()),
                      o.size(),
                      o.lastModified()));
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
          } while (token != null);
          return List.copyOf(all);
        });
  }

  /** Deletes {@code keys} in batches of {@value #DELETE_BATCH}; missing keys are not an error. */
  public CompletableFuture<Void> delete(Collection<String> keys) {
    List<ObjectIdentifier> ids = new ArrayList<>(keys.size());
    for (String key : keys) {
      ids.add(ObjectIdentifier.builder().key(fullKey(key)).build());
    }
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return call(
        "delete",
        true,
        () -> {
          for (int from = 0; from < ids.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch =
                ids.subList(from, Math.min(ids.size(), from + DELETE_BATCH));
            DeleteObjectsResponse response =
                client.deleteObjects(
                    b ->
                        b.bucket(settings.bucket())
                            .delete(Delete.builder().objects(batch).quiet(true).build()));
            if (response.hasErrors() && !response.errors().isEmpty()) {
              S3Error first = response.errors().get(0);
              throw new S3StoreException(
                  S3StoreException.Kind.CLIENT,
                  "S3 delete of "
                      + response.errors().size()
                      + " keys failed in "
                      + settings.describe()
                      + ", first "
                      + first.key()
                      + ": "
                      + first.code()
                      + " "
                      + first.message());
            }
          }
          return null;
        });
  }

  /**
   * Whether the bucket exists and the credentials may use it (HeadBucket). Not skipped while S3 is
   * down: this is the availability probe.
   */
  public CompletableFuture<Void> checkBucket() {
    return call(
        "check",
        false,
        () -> {
          client.headBucket(b -> b.bucket(settings.bucket()));
          return null;
        });
  }

  /** Creates the bucket; one that exists already and is ours is fine. */
  public CompletableFuture<Void> createBucket() {
    return call(
        "create_bucket",
        false,
        () -> {
          try {
            client.createBucket(b -> b.bucket(settings.bucket()));
          } catch (BucketAlreadyOwnedByYouException e) {
            // Created by someone else with our credentials in the meantime: fine.
          }
          return null;
        });
  }

  /**
   * The start-time check of a required S3 tier: completes when the bucket is usable, otherwise
   * fails with an {@link S3StoreException} whose message says what is wrong (unreachable endpoint,
   * timeout, refused credentials, missing bucket) and what to do about it.
   *
   * @param createIfMissing create a missing bucket instead of failing (the embedded default)
   */
  public CompletableFuture<Void> requireUsable(boolean createIfMissing) {
    return checkBucket()
        .handle(
            (ok, error) -> {
              if (error == null) {
                return CompletableFuture.<Void>completedFuture(null);
              }
              S3StoreException failure = unwrap(error);
              if (failure.kind() == S3StoreException.Kind.NO_BUCKET && createIfMissing) {
                return createBucket().thenCompose(created -> checkBucket());
              }
              return CompletableFuture.<Void>failedFuture(startError(failure));
            })
        .thenCompose(f -> f)
        .exceptionallyCompose(error -> CompletableFuture.failedFuture(startError(unwrap(error))));
  }

  /** The operator-facing message of a failed start check. */
  S3StoreException startError(S3StoreException failure) {
    if (failure.getMessage() != null && failure.getMessage().startsWith("S3 tier unusable")) {
      return failure;
    }
    String endpoint = settings.endpoint().toString();
    String bucket = settings.bucket();
    String what;
    switch (failure.kind()) {
      case CONNECT:
        what =
            "S3 endpoint "
                + endpoint
                + " is unreachable ("
                + rootMessage(failure)
                + "): start the S3 server or fix --s3-endpoint";
        break;
      case TIMEOUT:
        what =
            "S3 endpoint "
                + endpoint
                + " did not answer within "
                + settings.callTimeout()
                + ": check the endpoint and the network";
        break;
      case FORBIDDEN:
        what =
            "S3 endpoint "
                + endpoint
                + " refused access to bucket '"
                + bucket
                + "' (403) for access key "
                + settings.credentials().accessKeyId()
                + ": check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the credentials file) and"
                + " the key's permissions on the bucket";
        break;
      case NO_BUCKET:
        what =
            "S3 bucket '"
                + bucket
                + "' does not exist at "
                + endpoint
                + ": create it first (e.g. aws --endpoint-url "
                + endpoint
                + " s3 mb s3://"
                + bucket
                + ") or fix --s3-bucket";
        break;
      default:
        what =
            "S3 endpoint "
                + endpoint
                + " failed the check of bucket '"
                + bucket
                + "' ("
                + failure.kind().label()
                + "): "
                + failure.getMessage();
    }
    return new S3StoreException(failure.kind(), "S3 tier unusable: " + what, failure);
  }

  private String fullKey(String key) {
    if (key == null) {
      throw new IllegalArgumentException("S3 key must not be null");
    }
    return settings.keyPrefix() + key;
  }

  /**
   * Runs {@code body} on the pool, timing and counting it and feeding availability.
   *
   * @param gated skipped (failed at once) while S3 is down
   */
  private <T> CompletableFuture<T> call(String operation, boolean gated, Callable<T> body) {
    if (gated && !availability.isUp()) {
      count(operation, S3StoreException.Kind.UNAVAILABLE.label());
      return CompletableFuture.failedFuture(
          new S3StoreException(
              S3StoreException.Kind.UNAVAILABLE,
              "S3 " + operation + " skipped: " + settings.describe() + " is down"));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    boolean read = operation.equals("get") || operation.equals("head");
    try {
      (read ? reads : executor)
          .execute(
              () -> {
                long start = System.nanoTime();
                try {
                  T value = body.call();
                  timer(operation).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                  boolean miss = value instanceof Optional && ((Optional<?>) value).isEmpty();
                  count(operation, miss ? "not_found" : "ok");
                  availability.recordSuccess();
                  result.complete(value);
                } catch (Throwable t) {
                  timer(operation).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                  S3StoreException failure = classify(operation, t);
                  count(operation, failure.kind().label());
                  availability.recordFailure(failure);
                  result.completeExceptionally(failure);
                }
              });
    } catch (RejectedExecutionException e) {
      count(operation, S3StoreException.Kind.BUSY.label());
      result.completeExceptionally(
          new S3StoreException(
              S3StoreException.Kind.BUSY,
              "S3 "
                  + operation
                  + " refused: "
                  + options.queueCapacity()
                  + " calls already waiting for "
                  + settings.describe(),
              e));
    }
    return result;
  }

  private Timer timer(String operation) {
    return timers.computeIfAbsent(
        operation,
        op ->
            Timer.builder("relay_s3_request")
                .description("S3 calls by operation, retries included")
                .tag("operation", op)
                .publishPercentileHistogram()
                .register(registry));
  }

  private void count(String operation, String result) {
    counters
        .computeIfAbsent(
            operation + '|' + result,
            k ->
                Counter.builder("relay_s3_requests")
                    .description("S3 calls by operation and result")
                    .tag("operation", operation)
                    .tag("result", result)
                    .register(registry))
        .increment();
  }

  /** The failure kind of anything an SDK call threw. */
  S3StoreException classify(String operation, Throwable t) {
    if (t instanceof S3StoreException) {
      return (S3StoreException) t;
    }
    String prefix = "S3 " + operation + " at " + settings.describe() + " failed: ";
    if (t instanceof NoSuchBucketException) {
      return new S3StoreException(
          S3StoreException.Kind.NO_BUCKET,
          prefix + "bucket '" + settings.bucket() + "' does not exist",
          t);
    }
    if (t instanceof S3Exception) {
      int status = ((S3Exception) t).statusCode();
      S3StoreException.Kind kind =
          status == 403
              ? S3StoreException.Kind.FORBIDDEN
              : status >= 500
                  ? S3StoreException.Kind.SERVER
                  : status == 404
                          && "NoSuchBucket"
                              .equals(
                                  ((S3Exception) t).awsErrorDetails() == null
                                      ? null
                                      : ((S3Exception) t).awsErrorDetails().errorCode())
                      ? S3StoreException.Kind.NO_BUCKET
                      : S3StoreException.Kind.CLIENT;
      return new S3StoreException(kind, prefix + status + " " + rootMessage(t), t);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ApiCallTimeoutException
          || c instanceof ApiCallAttemptTimeoutException
          || c instanceof SocketTimeoutException
          || c instanceof InterruptedIOException) {
        return new S3StoreException(
            S3StoreException.Kind.TIMEOUT, prefix + "timeout: " + rootMessage(t), t);
      }
      if (c instanceof ConnectException
          || c instanceof NoRouteToHostException
          || c instanceof UnknownHostException) {
        return new S3StoreException(
            S3StoreException.Kind.CONNECT, prefix + "cannot connect: " + rootMessage(t), t);
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException) {
        return new S3StoreException(S3StoreException.Kind.IO, prefix + rootMessage(t), t);
      }
    }
    return new S3StoreException(S3StoreException.Kind.OTHER, prefix + t, t);
  }

  static S3StoreException unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof S3StoreException
        ? (S3StoreException) t
        : new S3StoreException(S3StoreException.Kind.OTHER, String.valueOf(t), t);
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread thread = new Thread(r, name);
    thread.setDaemon(true);
    return thread;
  }

  /** Stops the probe, lets running calls finish (bounded), closes the client. */
  @Override
  public void close() {
    availability.close();
    probes.shutdownNow();
    reads.shutdown();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
      if (!reads.awaitTermination(1, TimeUnit.SECONDS)) {
        reads.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      reads.shutdownNow();
      Thread.currentThread().interrupt();
    }
    client.close();
    presigner.close();
  }
}
