package dev.segmentrelay.loadtest.report;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.ViewerEvents;

/**
 * One viewer's events into the shared {@link Results}. Each player calls its sink from one thread
 * at a time, so the fields here need no synchronisation; they are the only per-viewer state (a few
 * dozen bytes).
 *
 * <p>Assumes the player reports every request with {@link #request} (segments included) and, for a
 * segment that arrived whole, also {@link #segment}: bytes and errors are counted in the former,
 * download times in the latter.
 */
final class ViewerSink implements ViewerEvents {
  private final Results results;
  private final Group region;
  private double played;
  private double stalled;
  private boolean ended;
  Results.Drill drill;
  boolean awaitingRecovery;

  ViewerSink(Results results, Group region) {
    this.results = results;
    this.region = region;
  }

  @Override
  public void started(double startupMillis) {
    long us = Group.micros(startupMillis);
    results.all.startupUs.recordValue(us);
    region.startupUs.recordValue(us);
  }

  @Override
  public void request(FetchResult result, RequestKind kind) {
    results.onRequest(this, region, result, kind);
  }

  @Override
  public void segment(FetchResult result, double mediaSeconds, int renditionBandwidth) {
    results.onSegment(this, region, result);
  }

  @Override
  public void stallStarted() {
    results.all.stalls.increment();
    region.stalls.increment();
  }

  @Override
  public void stallEnded(double stallMillis) {
    long us = Group.micros(stallMillis);
    double ms = Math.max(0, stallMillis);
    results.all.stallUs.recordValue(us);
    results.all.stallMillis.add(ms);
    region.stallUs.recordValue(us);
    region.stallMillis.add(ms);
  }

  @Override
  public void switched(int fromBandwidth, int toBandwidth) {
    results.all.switches.increment();
    region.switches.increment();
  }

  @Override
  public void movedEdge(String from, String to) {
    results.all.edgeMoves.increment();
    region.edgeMoves.increment();
  }

  @Override
  public void progress(double playedSeconds, double stalledSeconds, double bufferSeconds) {
    double dp = playedSeconds - played;
    double ds = stalledSeconds - stalled;
    if (dp > 0) {
      played = playedSeconds;
      results.all.playedSeconds.add(dp);
      region.playedSeconds.add(dp);
    }
    if (ds > 0) {
      stalled = stalledSeconds;
      results.all.stalledSeconds.add(ds);
      region.stalledSeconds.add(ds);
    }
  }

  @Override
  public void ended(boolean gaveUp) {
    if (ended) {
      return;
    }
    ended = true;
    results.all.left();
    region.left();
    if (gaveUp) {
      results.all.gaveUp.increment();
      region.gaveUp.increment();
    }
  }
}
