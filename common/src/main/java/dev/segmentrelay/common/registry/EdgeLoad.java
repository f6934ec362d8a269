package dev.segmentrelay.common.registry;

import java.io.Serializable;

/**
 * An edge's load in its latest report.
 *
 * @param egressMbps bytes sent to viewers over the last report interval, in Mbit/s
 * @param activeViewers viewers (distinct client addresses) seen in the last 30 s
 * @param hitRatio cache hits over all cacheable requests in the last report interval, 0..1
 */
public record EdgeLoad(double egressMbps, int activeViewers, double hitRatio)
    implements Serializable {
  public static final EdgeLoad IDLE = new EdgeLoad(0, 0, 0);

  public EdgeLoad {
    if (!(egressMbps >= 0) || activeViewers < 0 || !(hitRatio >= 0 && hitRatio <= 1)) {
      throw new IllegalArgumentException(
          "invalid edge load: egress "
              + egressMbps
              + " Mbit/s, "
              + activeViewers
              + " viewers, hit ratio "
              + hitRatio);
    }
  }
}
