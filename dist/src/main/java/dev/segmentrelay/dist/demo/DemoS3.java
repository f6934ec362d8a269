package dev.segmentrelay.dist.demo;

import dev.segmentrelay.common.http.ListenPorts;
import dev.segmentrelay.common.s3.EmbeddedS3Server;
import dev.segmentrelay.common.s3.S3Credentials;
import dev.segmentrelay.common.s3.S3Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The demo's S3-compatible store: S3Proxy (filesystem backend) as a child process from {@code
 * lib/s3proxy.jar} beside {@code relay.jar}, its data in a temporary directory removed at stop, a
 * fresh secret per run (never printed). Without the jar the demo runs without the S3 tier and says
 * so.
 */
final class DemoS3 implements AutoCloseable {
  static final String BUCKET = "relay-demo";
  static final int PREFERRED_PORT = 8090;

  private final EmbeddedS3Server server;
  private final Path dataDir;
  private final S3Settings settings;

  private DemoS3(EmbeddedS3Server server, Path dataDir, S3Settings settings) {
    this.server = server;
    this.dataDir = dataDir;
    this.settings = settings;
  }

  /**
   * Starts the store on 127.0.0.1:{@code port} (any free port for 0), or returns empty with the
   * reason on {@code err} when it cannot.
   */
  static Optional<DemoS3> start(int port, PrintWriter out, PrintWriter err) {
    Path jar;
    try {
      jar = EmbeddedS3Server.locateJar(Optional.empty());
    } catch (IllegalStateException e) {
      err.println("relay demo: running without the S3 tier: " + e.getMessage());
      err.flush();
      return Optional.empty();
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("relay-demo-s3-");
      int listen = ListenPorts.sharedPort("127.0.0.1", port);
      S3Credentials credentials = S3Credentials.of("relay-demo", UUID.randomUUID().toString());
      out.println(
          "Starting the S3 store (S3Proxy, " + jar.getFileName() + ") on port " + port + "...");
      out.flush();
      EmbeddedS3Server server =
          EmbeddedS3Server.start(jar, dir, listen, credentials, Optional.of(BUCKET));
      S3Settings settings =
          S3Settings.of(URI.create("http://127.0.0.1:" + listen), BUCKET, credentials);
      return Optional.of(new DemoS3(server, dir, settings));
    } catch (IOException | RuntimeException e) {
      err.println("relay demo: running without the S3 tier: " + e.getMessage());
      err.flush();
      if (dir != null) {
        deleteTree(dir);
      }
      return Optional.empty();
    }
  }

  S3Settings settings() {
    return settings;
  }

  URI endpoint() {
    return settings.endpoint();
  }

  Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } finally {
      deleteTree(dataDir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(DemoS3::deleteQuietly);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("relay demo: could not remove " + dir + ": " + e.getMessage());
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // left for the OS's temp cleaning
    }
  }
}
