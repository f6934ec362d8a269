package dev.segmentrelay.edge;

import java.util.Optional;

/**
 * A single {@code Range: bytes=…} request (RFC 9110 section 14.1.2). Several ranges are not served
 * as ranges (the whole object is sent, as the RFC allows); a malformed header is refused.
 *
 * @param first first byte, or -1 for a suffix range
 * @param last last byte inclusive, or -1 for "to the end"
 * @param suffixLength for {@code bytes=-N}: the last N bytes
 */
record ByteRangeRequest(long first, long last, long suffixLength) {

  /** Thrown for a Range header that is not a byte range at all. */
  static final class MalformedRangeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedRangeException(String message) {
      super(message);
    }
  }

  /**
   * Parses a Range header; empty when absent or naming several ranges.
   *
   * @throws MalformedRangeException naming the bad value
   */
  static Optional<ByteRangeRequest> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      throw new MalformedRangeException(
          "Range '" + shorten(h) + "' is not a byte range: use bytes=FIRST-LAST");
    }
    String spec = h.substring(6).trim();
    if (spec.contains(",")) {
      return Optional.empty();
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      throw new MalformedRangeException("Range '" + shorten(h) + "' has no '-'");
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long n = Long.parseLong(b);
        if (n <= 0) {
          throw new MalformedRangeException("Range '" + shorten(h) + "' asks for no bytes");
        }
        return Optional.of(new ByteRangeRequest(-1, -1, n));
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? -1 : Long.parseLong(b);
      if (first < 0 || (last >= 0 && last < first)) {
        throw new MalformedRangeException("Range '" + shorten(h) + "' ends before it starts");
      }
      return Optional.of(new ByteRangeRequest(first, last, 0));
    } catch (NumberFormatException e) {
      throw new MalformedRangeException("Range '" + shorten(h) + "' has a bad number");
    }
  }

  /** {@code [offset, length]} within an object of {@code size} bytes, or empty if unsatisfiable. */
  Optional<long[]> resolve(long size) {
    if (first < 0) {
      long n = Math.min(suffixLength, size);
      return size == 0 ? Optional.empty() : Optional.of(new long[] {size - n, n});
    }
    if (first >= size) {
      return Optional.empty();
    }
    long end = last < 0 ? size - 1 : Math.min(last, size - 1);
    return Optional.of(new long[] {first, end - first + 1});
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
