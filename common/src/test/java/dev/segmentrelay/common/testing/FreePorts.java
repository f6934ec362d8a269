package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports on 127.0.0.1 for peers that cannot bind port 0 and report back (nginx, ffmpeg's
 * RTMP target). Another process may take the port between the probe and its use, so callers that
 * start a peer on it retry with a new port when the peer fails to bind.
 */
public final class FreePorts {
  private FreePorts() {}

  /** A port that was free on 127.0.0.1 a moment ago. */
  public static int find() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }
}
