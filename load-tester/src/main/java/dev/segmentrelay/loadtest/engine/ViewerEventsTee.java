package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.ViewerEvents;

/** Sends every event to two receivers, e.g. the results and the console's {@link LiveCounters}. */
public final class ViewerEventsTee implements ViewerEvents {
  private final ViewerEvents first;
  private final ViewerEvents second;

  private ViewerEventsTee(ViewerEvents first, ViewerEvents second) {
    this.first = first;
    this.second = second;
  }

  public static ViewerEvents of(ViewerEvents first, ViewerEvents second) {
    return new ViewerEventsTee(first, second);
  }

  @Override
  public void started(double startupMillis) {
    first.started(startupMillis);
    second.started(startupMillis);
  }

  @Override
  public void request(FetchResult result, RequestKind kind) {
    first.request(result, kind);
    second.request(result, kind);
  }

  @Override
  public void segment(FetchResult result, double mediaSeconds, int renditionBandwidth) {
    first.segment(result, mediaSeconds, renditionBandwidth);
    second.segment(result, mediaSeconds, renditionBandwidth);
  }

  @Override
  public void stallStarted() {
    first.stallStarted();
    second.stallStarted();
  }

  @Override
  public void stallEnded(double stallMillis) {
    first.stallEnded(stallMillis);
    second.stallEnded(stallMillis);
  }

  @Override
  public void switched(int fromBandwidth, int toBandwidth) {
    first.switched(fromBandwidth, toBandwidth);
    second.switched(fromBandwidth, toBandwidth);
  }

  @Override
  public void movedEdge(String from, String to) {
    first.movedEdge(from, to);
    second.movedEdge(from, to);
  }

  @Override
  public void progress(double playedSeconds, double stalledSeconds, double bufferSeconds) {
    first.progress(playedSeconds, stalledSeconds, bufferSeconds);
    second.progress(playedSeconds, stalledSeconds, bufferSeconds);
  }

  @Override
  public void ended(boolean gaveUp) {
    first.ended(gaveUp);
    second.ended(gaveUp);
  }
}
