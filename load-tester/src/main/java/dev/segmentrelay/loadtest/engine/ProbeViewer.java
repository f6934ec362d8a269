package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.Scheduler;
import dev.segmentrelay.loadtest.player.ViewerEvents;

/**
 * A stand-in viewer until the player model is wired: it GETs its URL (keeping the body, as a player
 * reads a playlist) every {@code intervalMillis} and reports each request. It is a request loop,
 * not a player: no segments, no buffer, no stalls. Also the engine's test double.
 */
public final class ProbeViewer implements Viewer {
  private final ViewerSlot slot;
  private final ViewerEvents events;
  private final long intervalMillis;
  private Scheduler.Cancellable next;
  private boolean stopped;
  private boolean started;
  private final long startedAt;

  private ProbeViewer(ViewerSlot slot, ViewerEvents events, long intervalMillis) {
    this.slot = slot;
    this.events = events;
    this.intervalMillis = intervalMillis;
    this.startedAt = slot.scheduler().nowMillis();
  }

  /** Starts polling {@code slot.url()} at once. */
  public static ProbeViewer start(ViewerSlot slot, ViewerEvents events, long intervalMillis) {
    ProbeViewer viewer = new ProbeViewer(slot, events, intervalMillis);
    viewer.fetch();
    return viewer;
  }

  private void fetch() {
    if (stopped) {
      return;
    }
    slot.fetcher().get(slot.url(), true, this::done);
  }

  private void done(FetchResult result) {
    if (stopped) {
      return;
    }
    events.request(result, ViewerEvents.RequestKind.MASTER);
    if (result.ok() && !started) {
      started = true;
      events.started(slot.scheduler().nowMillis() - startedAt);
    }
    next = slot.scheduler().schedule(intervalMillis, this::fetch);
  }

  @Override
  public void stop() {
    if (!stopped) {
      stopped = true;
      if (next != null) {
        next.cancel();
      }
      events.ended(false);
    }
  }
}
