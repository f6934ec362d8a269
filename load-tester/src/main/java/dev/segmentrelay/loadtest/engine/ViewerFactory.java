package dev.segmentrelay.loadtest.engine;

/**
 * Makes and starts one virtual viewer. The lead wires the player model here, e.g. {@code slot -> {
 * Player p = new Player(cfg, slot.scheduler(), slot.fetcher(), results.viewer(slot.region()));
 * p.start(slot.url()); return p::stop; }}.
 */
@FunctionalInterface
public interface ViewerFactory {
  /**
   * Starts a viewer; called on the viewer's event loop, must not block.
   *
   * @return how to stop it
   */
  Viewer start(ViewerSlot slot);
}
