package dev.segmentrelay.common.media.dash;

import java.util.Optional;

/**
 * The identifiers of a SegmentTemplate {@code @media} or {@code @initialization} string: {@code
 * $RepresentationID$}, {@code $Number$}, {@code $Time$}, {@code $Bandwidth$} (each but the first
 * with an optional {@code %0Nd} width) and {@code $$} for a literal dollar sign.
 */
public final class SegmentUrlTemplate {
  private SegmentUrlTemplate() {}

  /**
   * Checks a template string.
   *
   * @return the problem as a phrase, or empty when the template is well formed
   */
  public static Optional<String> problem(String template) {
    try {
      expand(template, "r", 0, 0, 0);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** True when {@code template} contains the identifier {@code $name$} (with or without width). */
  public static boolean uses(String template, String name) {
    return template.contains("$" + name + "$") || template.contains("$" + name + "%");
  }

  /**
   * Substitutes every identifier.
   *
   * @throws IllegalArgumentException for an unknown identifier, a bad width or an unclosed {@code
   *     $}
   */
  public static String expand(
      String template, String representationId, long bandwidth, long number, long time) {
    StringBuilder out = new StringBuilder(template.length() + 16);
    int i = 0;
    while (i < template.length()) {
      char c = template.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      int end = template.indexOf('$', i + 1);
      if (end < 0) {
        throw new IllegalArgumentException(
            "unclosed '$' at position " + i + " in '" + template + "'");
      }
      String identifier = template.substring(i + 1, end);
      i = end + 1;
      if (identifier.isEmpty()) {
        out.append('$');
        continue;
      }
      String name = identifier;
      int width = 0;
      int percent = identifier.indexOf('%');
      if (percent >= 0) {
        name = identifier.substring(0, percent);
        width = width(identifier.substring(percent), template);
      }
      switch (name) {
        case "RepresentationID" -> {
          if (percent >= 0) {
            throw new IllegalArgumentException(
                "$RepresentationID$ takes no format tag in '" + template + "'");
          }
          out.append(representationId);
        }
        case "Number" -> out.append(pad(number, width));
        case "Time" -> out.append(pad(time, width));
        case "Bandwidth" -> out.append(pad(bandwidth, width));
        default ->
            throw new IllegalArgumentException(
                "unknown identifier $" + identifier + "$ in '" + template + "'");
      }
    }
    return out.toString();
  }

  private static int width(String formatTag, String template) {
    if (formatTag.length() < 4 || !formatTag.startsWith("%0") || !formatTag.endsWith("d")) {
      throw new IllegalArgumentException(
          "format tag '" + formatTag + "' in '" + template + "' is not of the form %0Nd");
    }
    try {
      int width = Integer.parseInt(formatTag.substring(2, formatTag.length() - 1));
      if (width < 1 || width > 32) {
        throw new IllegalArgumentException(
            "format tag '" + formatTag + "' in '" + template + "' has a width outside 1-32");
      }
      return width;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "format tag '" + formatTag + "' in '" + template + "' is not of the form %0Nd", e);
    }
  }

  private static String pad(long value, int width) {
    String digits = Long.toString(value);
    if (digits.length() >= width) {
      return digits;
    }
    return "0".repeat(width - digits.length()) + digits;
  }
}
