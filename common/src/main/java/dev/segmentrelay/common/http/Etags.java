package dev.segmentrelay.common.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
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
    // Read through a NIO view: no copy of a direct buffer onto the heap.
    crc.update(((BufferInternal) body).getByteBuf().nioBuffer());
    return "\""
        + Long.toHexString(crc.getValue())
        + "-"
        + Integer.toHexString(body.length())
        + "\"";
  }
}
