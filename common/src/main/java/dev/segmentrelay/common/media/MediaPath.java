package dev.segmentrelay.common.media;

import java.nio.charset.StandardCharsets;

/**
 * A validated, normalised media object address: {@code /live/{stream}/{path}}. Every service checks
 * viewer and ingest paths through here before anything touches a store or an upstream.
 *
 * <p>The relative path is percent-decoded exactly once; a result that still contains {@code %}, a
 * backslash, a control character, an empty, {@code .} or {@code ..} segment, or a segment starting
 * with a dot is rejected, so no encoding trick can climb out of the stream's namespace.
 *
 * @param stream the stream
 * @param path the relative path inside the stream, segments joined by {@code /}
 * @param kind what the path names
 */
public record MediaPath(StreamId stream, String path, ObjectKind kind) {
  /** Longest accepted relative path, in characters after decoding. */
  public static final int MAX_PATH_LENGTH = 512;

  private static final int MAX_DEPTH = 8;

  /** Thrown for a path that must be refused; {@link #status()} says 400 (malformed) or 404. */
  public static final class InvalidPathException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public InvalidPathException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  /** The URL path this object is served under. */
  public String urlPath() {
    return "/live/" + stream.value() + "/" + path;
  }

  /** The file name (last path segment). */
  public String fileName() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * Parses a stream name and a raw (still percent-encoded) relative path.
   *
   * @throws InvalidPathException naming what was wrong
   */
  public static MediaPath parse(String stream, String rawRelativePath) {
    if (!StreamId.isValid(stream)) {
      throw new InvalidPathException(
          404,
          "unknown stream name '"
              + printable(stream)
              + "': stream names are 1-64 characters of a-z, 0-9, '_' and '-'");
    }
    String path = validRelativePath(rawRelativePath);
    ObjectKind kind =
        ObjectKind.of(path)
            .orElseThrow(
                () ->
                    new InvalidPathException(
                        404,
                        "'"
                            + printable(path)
                            + "' is not a media file: known extensions are .m3u8 .mpd .ts .m4s"
                            + " .mp4 .m4a .m4v .aac .vtt .cmfv .cmfa"));
    return new MediaPath(new StreamId(stream), path, kind);
  }

  /**
   * Decodes and validates a relative path of safe segments (any extension).
   *
   * @throws InvalidPathException (400) naming the problem
   */
  public static String validRelativePath(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new InvalidPathException(400, "empty media path: expected a file name");
    }
    if (raw.length() > MAX_PATH_LENGTH * 3) {
      throw new InvalidPathException(
          400, "media path longer than " + MAX_PATH_LENGTH + " characters");
    }
    String decoded = percentDecode(raw);
    if (decoded.length() > MAX_PATH_LENGTH) {
      throw new InvalidPathException(
          400, "media path longer than " + MAX_PATH_LENGTH + " characters");
    }
    String[] segments = decoded.split("/", -1);
    if (segments.length > MAX_DEPTH) {
      throw new InvalidPathException(
          400, "media path '" + printable(decoded) + "' is nested deeper than " + MAX_DEPTH);
    }
    for (String segment : segments) {
      if (segment.equals("..") || segment.equals(".")) {
        throw new InvalidPathException(
            400, "path traversal refused in '" + printable(raw) + "': '.' and '..' not allowed");
      }
      if (!isSafeSegment(segment)) {
        throw new InvalidPathException(
            400,
            "unsafe media path '"
                + printable(raw)
                + "': each segment must be letters, digits, '_', '-', '~' or '.' and not start"
                + " with '.'");
      }
    }
    return decoded;
  }

  /** {@code [A-Za-z0-9_~-][A-Za-z0-9_.~-]*}, checked by hand: this runs on every viewer request. */
  static boolean isSafeSegment(String segment) {
    int n = segment.length();
    if (n == 0 || segment.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = segment.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || c == '~'
              || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String percentDecode(String raw) {
    if (raw.indexOf('%') < 0) {
      return raw;
    }
    byte[] out = new byte[raw.length()];
    int n = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new InvalidPathException(
              400, "malformed percent-encoding in '" + printable(raw) + "'");
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new InvalidPathException(
              400, "malformed percent-encoding in '" + printable(raw) + "'");
        }
        out[n++] = (byte) ((hi << 4) | lo);
        i += 2;
      } else if (c > 0x7e) {
        throw new InvalidPathException(
            400, "non-ASCII character in media path '" + printable(raw) + "'");
      } else {
        out[n++] = (byte) c;
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** Makes untrusted input safe to put into a log line or error message. */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : c);
    }
    if (s.length() > 200) {
      b.append('…');
    }
    return b.toString();
  }
}
