package dev.segmentrelay.common.s3;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The integrity check of stored bodies: {@link S3Store#put} records the length and a CRC32C of the
 * body in user metadata, and {@link S3Store#get} refuses a body whose length differs from the
 * announced Content-Length or the recorded length, or whose CRC32C differs. CRC32C rather than
 * SHA-256: it catches truncation and bit rot (not tampering) at memory speed (an intrinsic), which
 * matters on the hot path of an S3-tier hit (SHA-256 of 1 MiB costs milliseconds).
 */
final class BodyChecksum {
  static final String LENGTH_KEY = "relay-length";
  static final String CRC32C_KEY = "relay-crc32c";

  private BodyChecksum() {}

  static String crc32c(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    return String.format("%08x", crc.getValue());
  }

  /** The caller's metadata plus the store's length and checksum entries. */
  static Map<String, String> withChecksum(Map<String, String> metadata, byte[] body) {
    Map<String, String> all = new HashMap<>(metadata);
    all.put(LENGTH_KEY, Long.toString(body.length));
    all.put(CRC32C_KEY, crc32c(body));
    return all;
  }

  /** The metadata as callers see it (the store's entries removed). */
  static Map<String, String> userMetadata(Map<String, String> stored) {
    Map<String, String> user = new HashMap<>(stored);
    user.remove(LENGTH_KEY);
    user.remove(CRC32C_KEY);
    return Map.copyOf(user);
  }

  /**
   * Why {@code body} is not the complete object, or empty when it is. Objects written by other
   * tools (no checksum entries) are checked against Content-Length only.
   *
   * @param contentLength the Content-Length the server announced, or null
   */
  static Optional<String> problem(byte[] body, Long contentLength, Map<String, String> stored) {
    Running check = new Running(contentLength, stored);
    check.update(ByteBuffer.wrap(body));
    return check.problem();
  }

  /**
   * The same check made as the body arrives, chunk by chunk, so a reader can verify an object while
   * receiving it instead of walking it again at the end.
   */
  static final class Running {
    private final Long contentLength;
    private final String storedLength;
    private final String storedCrc;
    private final CRC32C crc = new CRC32C();
    private long received;

    Running(Long contentLength, Map<String, String> stored) {
      this.contentLength = contentLength;
      this.storedLength = stored.get(LENGTH_KEY);
      this.storedCrc = stored.get(CRC32C_KEY);
    }

    /** Counts and checksums {@code chunk}'s remaining bytes (its position is left unchanged). */
    void update(ByteBuffer chunk) {
      received += chunk.remaining();
      crc.update(chunk.duplicate());
    }

    long received() {
      return received;
    }

    Optional<String> problem() {
      if (contentLength != null && contentLength != received) {
        return Optional.of(
            "received " + received + " of " + contentLength + " bytes announced by Content-Length");
      }
      if (storedLength != null && !storedLength.equals(Long.toString(received))) {
        return Optional.of(
            "received " + received + " bytes but " + storedLength + " were written (relay-length)");
      }
      if (storedCrc != null) {
        String actual = String.format("%08x", crc.getValue());
        if (!storedCrc.equalsIgnoreCase(actual)) {
          return Optional.of(
              "CRC32C " + actual + " differs from " + storedCrc + " written with it");
        }
      }
      return Optional.empty();
    }
  }
}
