package dev.segmentrelay.loadtest.engine;

/** A running virtual viewer, as the engine sees it: something it can stop. */
@FunctionalInterface
public interface Viewer {
  /** Stops playing: cancels timers, abandons requests; called on the viewer's event loop. */
  void stop();
}
