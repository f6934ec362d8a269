package dev.segmentrelay.common.http;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The port for a server deployed once per event loop. Vert.x shares one port among the servers of
 * all event loops, but not port 0 (each would bind its own): when any free port is asked for, pick
 * one first and give it to every instance.
 */
public final class ListenPorts {
  private ListenPorts() {}

  /** {@code port}, or a port free on {@code host} now when {@code port} is 0. */
  public static int sharedPort(String host, int port) throws IOException {
    if (port != 0) {
      return port;
    }
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return probe.getLocalPort();
    }
  }
}
