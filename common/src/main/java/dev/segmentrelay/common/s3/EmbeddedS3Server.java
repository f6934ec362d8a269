package dev.segmentrelay.common.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 API server of the embedded default and of the S3 tests: S3Proxy ({@code org.gaul:s3proxy},
 * its runnable {@code jar-with-dependencies}) as a child JVM, so that its ~100 jars never meet ours
 * on one classpath.
 *
 * <p>Layout under {@code workDir}: {@code buckets/} is the filesystem backend (one directory per
 * bucket, one file per object), {@code s3proxy.properties} its configuration (mode 600: it holds
 * the secret, which therefore never appears on a command line), {@code s3proxy.log} its stdout and
 * stderr (appended, so a restart keeps the history). It listens on 127.0.0.1 only and checks AWS V2
 * or V4 signatures against the given credentials.
 *
 * <p>{@link #start} returns once the port answers HTTP (bounded wait, failing early if the child
 * exits, with the tail of its log). {@link #stop()} asks it to end, waits, then kills it; a JVM
 * shutdown hook kills any server still running, so none outlives its parent.
 */
public final class EmbeddedS3Server implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3Server.class);

  /** System property naming the S3Proxy jar (set by the build for the ITs). */
  public static final String JAR_PROPERTY = "relay.s3proxy.jar";

  /** Where {@code dist} puts the jar, relative to the directory of {@code relay.jar}. */
  public static final String JAR_BESIDE_RELAY = "lib/s3proxy.jar";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> RUNNING.forEach(Process::destroyForcibly), "embedded-s3-server-reaper"));
  }

  private final Process process;
  private final Path workDir;
  private final int port;
  private final Path logFile;

  private EmbeddedS3Server(Process process, Path workDir, int port, Path logFile) {
    this.process = process;
    this.workDir = workDir;
    this.port = port;
    this.logFile = logFile;
  }

  /**
   * The S3Proxy jar: {@code explicit} if given, else the {@value #JAR_PROPERTY} system property,
   * else {@value #JAR_BESIDE_RELAY} next to the jar this class was loaded from.
   *
   * @throws IllegalStateException naming every place looked at
   */
  public static Path locateJar(Optional<Path> explicit) {
    List<Path> tried = new ArrayList<>();
    explicit.ifPresent(tried::add);
    Optional.ofNullable(System.getProperty(JAR_PROPERTY))
        .filter(p -> !p.isBlank())
        .map(Path::of)
        .ifPresent(tried::add);
    besideOwnJar().ifPresent(tried::add);
    for (Path candidate : tried) {
      if (Files.isRegularFile(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "S3Proxy jar not found (looked at "
            + (tried.isEmpty() ? "nothing" : tried.toString())
            + "): build dist (it copies it to dist/target/"
            + JAR_BESIDE_RELAY
            + ") or set -D"
            + JAR_PROPERTY
            + "=PATH");
  }

  private static Optional<Path> besideOwnJar() {
    try {
      var source = EmbeddedS3Server.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path location = Path.of(source.getLocation().toURI());
      if (!Files.isRegularFile(location)) {
        return Optional.empty();
      }
      return Optional.of(location.resolveSibling(JAR_BESIDE_RELAY));
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts S3Proxy on 127.0.0.1:{@code port} with its filesystem backend under {@code
   * workDir/buckets} and waits until it answers.
   *
   * @param bucket created (as a backend directory) before start, if given
   * @throws IllegalStateException if it does not come up, with the tail of its log
   */
  public static EmbeddedS3Server start(
      Path jar, Path workDir, int port, S3Credentials credentials, Optional<String> bucket) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("S3Proxy port must be 1..65535, was " + port);
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy jar " + jar + " does not exist");
    }
    Path buckets = workDir.resolve("buckets");
    Path properties = workDir.resolve("s3proxy.properties");
    Path log = workDir.resolve("s3proxy.log");
    try {
      Files.createDirectories(buckets);
      if (bucket.isPresent()) {
        Files.createDirectories(buckets.resolve(bucket.get()));
      }
      writeProperties(properties, buckets, port, credentials);
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
              "-jar",
              jar.toAbsolutePath().toString(),
              "--properties",
              properties.toAbsolutePath().toString());
      Files.writeString(
          log,
          "=== " + String.join(" ", command) + System.lineSeparator(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE);
      builder.environment().put("LOG_LEVEL", "warn");
      Process process = builder.start();
      RUNNING.add(process);
      EmbeddedS3Server server = new EmbeddedS3Server(process, workDir, port, log);
      try {
        server.awaitReady();
      } catch (RuntimeException e) {
        server.stop();
        throw e;
      }
      LOG.info("S3Proxy (pid {}) serves {} from {}", process.pid(), server.endpoint(), buckets);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy in " + workDir, e);
    }
  }

  private static void writeProperties(Path file, Path buckets, int port, S3Credentials credentials)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", credentials.accessKeyId());
    p.setProperty("s3proxy.credential", credentials.secretAccessKey());
    p.setProperty("jclouds.provider", "filesystem");
    p.setProperty("jclouds.filesystem.basedir", buckets.toAbsolutePath().toString());
    p.setProperty("jclouds.identity", "local");
    p.setProperty("jclouds.credential", "local");
    Files.deleteIfExists(file);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (var out = Files.newOutputStream(file)) {
      p.store(out, "S3Proxy of Segment Relay (EmbeddedS3Server); holds a secret");
    }
  }

  /** Polls until the port answers HTTP, failing early if the child exits. */
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "S3Proxy exited with status "
                + process.exitValue()
                + " before answering on port "
                + port
                + " (port taken?); log "
                + logFile
                + ":\n"
                + logTail(20));
      }
      if (answersHttp()) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for S3Proxy", e);
      }
    }
    throw new IllegalStateException(
        "S3Proxy did not answer on port "
            + port
            + " within "
            + READY_TIMEOUT
            + "; log "
            + logFile
            + ":\n"
            + logTail(20));
  }

  private boolean answersHttp() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
    } catch (IOException e) {
      return false;
    }
    try {
      HttpURLConnection connection = (HttpURLConnection) endpoint().toURL().openConnection();
      connection.setConnectTimeout(500);
      connection.setReadTimeout(2000);
      int status = connection.getResponseCode();
      try (InputStream body =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        if (body != null) {
          body.readAllBytes();
        }
      }
      // Anonymous GET / answers 403 with signatures required: any status means it serves.
      return status > 0;
    } catch (IOException e) {
      return false;
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public Path workDir() {
    return workDir;
  }

  /** The directory of the filesystem backend: one subdirectory per bucket. */
  public Path bucketsDir() {
    return workDir.resolve("buckets");
  }

  public Path logFile() {
    return logFile;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The last {@code lines} lines of the log. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** Kills it at once (SIGKILL), as a crash would, and waits (bounded) for it to be gone. */
  public void kill() {
    process.destroyForcibly();
    waitGone(STOP_TIMEOUT);
  }

  /** Asks it to end (SIGTERM), waits up to 5 s, then kills it. */
  public void stop() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitGone(STOP_TIMEOUT)) {
        LOG.warn(
            "S3Proxy (pid {}) ignored SIGTERM for {}; killing it", process.pid(), STOP_TIMEOUT);
        kill();
      }
    }
    RUNNING.remove(process);
  }

  private boolean waitGone(Duration timeout) {
    try {
      boolean gone = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (gone) {
        RUNNING.remove(process);
      }
      return gone;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return false;
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "S3Proxy[pid " + process.pid() + ", " + endpoint() + "]";
  }
}
