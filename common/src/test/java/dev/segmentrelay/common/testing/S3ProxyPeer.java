package dev.segmentrelay.common.testing;

import dev.segmentrelay.common.s3.EmbeddedS3Server;
import dev.segmentrelay.common.s3.S3Credentials;
import dev.segmentrelay.common.s3.S3Settings;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A real S3 API server (S3Proxy as a child JVM, see {@link EmbeddedS3Server}) for ITs: a free port
 * on 127.0.0.1, a filesystem backend under the given directory, fixed test credentials and one
 * bucket. {@link #kill()} is a crash (SIGKILL) and {@link #restart()} brings it back on the same
 * port and data, for "S3 killed mid-run" tests. The build passes the jar as {@code
 * relay.s3proxy.jar} to failsafe in modules that declare {@code maven-dependency-plugin} (see the
 * parent pom's {@code s3proxy-jar} execution).
 */
public final class S3ProxyPeer implements AutoCloseable {
  public static final S3Credentials CREDENTIALS =
      S3Credentials.of("relay-test", "relay-test-secret");
  public static final String BUCKET = "relay-test";

  private final Path jar;
  private final Path workDir;
  private final int port;
  private final String bucket;
  private EmbeddedS3Server server;

  private S3ProxyPeer(Path jar, Path workDir, int port, String bucket) {
    this.jar = jar;
    this.workDir = workDir;
    this.port = port;
    this.bucket = bucket;
  }

  /** Starts S3Proxy in {@code workDir} with bucket {@value #BUCKET}. */
  public static S3ProxyPeer start(Path workDir) {
    return start(workDir, Optional.of(BUCKET));
  }

  /**
   * Starts S3Proxy in {@code workDir}, creating {@code bucket} if given (none: for missing-bucket
   * tests). Retries on a new port if the probed free port was taken meanwhile.
   */
  public static S3ProxyPeer start(Path workDir, Optional<String> bucket) {
    Path jar = EmbeddedS3Server.locateJar(Optional.empty());
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      S3ProxyPeer peer = new S3ProxyPeer(jar, workDir, FreePorts.find(), bucket.orElse(BUCKET));
      try {
        peer.server = EmbeddedS3Server.start(jar, workDir, peer.port, CREDENTIALS, bucket);
        return peer;
      } catch (IllegalStateException e) {
        last = e;
      }
    }
    throw last;
  }

  /** Settings for a store on this peer: its endpoint, bucket and credentials, defaults else. */
  public S3Settings settings() {
    return S3Settings.of(server.endpoint(), bucket, CREDENTIALS);
  }

  public EmbeddedS3Server server() {
    return server;
  }

  public int port() {
    return port;
  }

  /** Where the backend keeps {@code fullKey} of {@code bucket} (to damage it on purpose). */
  public Path objectFile(String bucket, String fullKey) {
    return server.bucketsDir().resolve(bucket).resolve(fullKey);
  }

  /** Kills S3Proxy at once (SIGKILL); its data stays. */
  public void kill() {
    server.kill();
  }

  /** Starts S3Proxy again on the same port and data directory. */
  public void restart() {
    if (server.isAlive()) {
      server.stop();
    }
    server = EmbeddedS3Server.start(jar, workDir, port, CREDENTIALS, Optional.empty());
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop();
    }
  }
}
