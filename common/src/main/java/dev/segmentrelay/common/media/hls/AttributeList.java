package dev.segmentrelay.common.media.hls;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HLS attribute list ({@code NAME=value,NAME="quoted, value"}), RFC 8216 section 4.2. Values are
 * kept as written, quoted strings without their quotes.
 */
public final class AttributeList {
  private AttributeList() {}

  /**
   * Parses an attribute list.
   *
   * @throws IllegalArgumentException naming the malformed part
   */
  public static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      int eq = text.indexOf('=', i);
      if (eq < 0) {
        throw new IllegalArgumentException("attribute without '=' in '" + text + "'");
      }
      String name = text.substring(i, eq).trim();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("attribute with empty name in '" + text + "'");
      }
      int v = eq + 1;
      String value;
      if (v < n && text.charAt(v) == '"') {
        int close = text.indexOf('"', v + 1);
        if (close < 0) {
          throw new IllegalArgumentException("unterminated quoted value of " + name);
        }
        value = text.substring(v + 1, close);
        i = close + 1;
      } else {
        int comma = text.indexOf(',', v);
        int end = comma < 0 ? n : comma;
        value = text.substring(v, end).trim();
        i = end;
      }
      out.put(name, value);
      if (i < n) {
        if (text.charAt(i) != ',') {
          throw new IllegalArgumentException(
              "expected ',' after attribute " + name + " in '" + text + "'");
        }
        i++;
      }
    }
    return out;
  }
}
