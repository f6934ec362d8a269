package dev.segmentrelay.common.registry;

import java.util.function.Consumer;

/** The per-stream "new segment" topic. */
public interface SegmentEvents {
  /** Announces a newly published segment to every subscriber of its stream. */
  void announce(SegmentAvailable event);

  /**
   * Subscribes to a stream's announcements.
   *
   * @return a handle that ends the subscription when closed
   */
  Subscription subscribe(String streamId, Consumer<SegmentAvailable> listener);

  /** An active subscription. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
