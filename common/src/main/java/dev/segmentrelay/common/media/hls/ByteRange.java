package dev.segmentrelay.common.media.hls;

/** A sub-range of a resource ({@code EXT-X-BYTERANGE}), with its offset resolved. */
public record ByteRange(long length, long offset) {
  public ByteRange {
    if (length < 0 || offset < 0) {
      throw new IllegalArgumentException("byte range " + length + "@" + offset + " is negative");
    }
  }

  public String attributeValue() {
    return length + "@" + offset;
  }
}
