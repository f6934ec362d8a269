package dev.segmentrelay.origin.store;

import io.vertx.core.buffer.Buffer;
import java.util.zip.CRC32C;

/**
 * Entity tags for published objects: CRC-32C of the bytes plus their length. Segment names are
 * never reused, so a tag only has to tell apart versions of one playlist or MPD; CRC-32C does that
 * at a fraction of a cryptographic hash's cost on every ingested segment.
 */
public final class Etags {
  private Etags() {}

  public static String of(Buffer body) {
    CRC32C crc = new CRC32C();
    crc.update(body.getBytes());
    return "\""
        + Long.toHexString(crc.getValue())
        + "-"
        + Integer.toHexString(body.length())
        + "\"";
  }
}
