package dev.segmentrelay.georouter.location;

import java.net.InetAddress;

/** Where is this viewer? */
public interface Locator {
  /**
   * Locates a client address. Never returns {@code null}: an address no rule knows gets the default
   * location ({@link Location.Source#DEFAULT}).
   */
  Location locate(InetAddress client);
}
