package dev.segmentrelay.georouter;

import java.net.InetAddress;

/** Which address a request speaks for: the peer, or a trusted proxy's {@code X-Forwarded-For}. */
@FunctionalInterface
public interface ClientAddressResolver {
  /**
   * @param peerAddress the TCP peer's address literal
   * @param forwardedFor the {@code X-Forwarded-For} header, or null
   */
  InetAddress clientAddress(String peerAddress, String forwardedFor);
}
