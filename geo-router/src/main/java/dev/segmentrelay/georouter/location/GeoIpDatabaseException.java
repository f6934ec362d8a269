package dev.segmentrelay.georouter.location;

/** A GeoIP database could not be opened or verified; the message names the file and the fix. */
public final class GeoIpDatabaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public GeoIpDatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
