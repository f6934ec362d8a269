package dev.segmentrelay.loadtest.player;

import java.util.ArrayList;
import java.util.List;

/** Records what a player reports. */
final class RecordingEvents implements ViewerEvents {
  record Req(FetchResult result, RequestKind kind) {}

  final List<Double> started = new ArrayList<>();
  final List<Req> requests = new ArrayList<>();
  final List<String> segments = new ArrayList<>();
  final List<Integer> segmentBandwidths = new ArrayList<>();
  int stallsStarted;
  final List<Double> stalls = new ArrayList<>();
  final List<String> switches = new ArrayList<>();
  final List<String> moves = new ArrayList<>();
  final List<String> skipped = new ArrayList<>();
  double played;
  double stalled;
  double buffer;
  int progressCalls;
  final List<Boolean> ended = new ArrayList<>();

  @Override
  public void started(double startupMillis) {
    started.add(startupMillis);
  }

  @Override
  public void request(FetchResult result, RequestKind kind) {
    requests.add(new Req(result, kind));
  }

  @Override
  public void segment(FetchResult result, double mediaSeconds, int renditionBandwidth) {
    segments.add(result.url());
    segmentBandwidths.add(renditionBandwidth);
  }

  @Override
  public void segmentSkipped(String url) {
    skipped.add(url);
  }

  @Override
  public void stallStarted() {
    stallsStarted++;
  }

  @Override
  public void stallEnded(double stallMillis) {
    stalls.add(stallMillis);
  }

  @Override
  public void switched(int fromBandwidth, int toBandwidth) {
    switches.add(fromBandwidth + "->" + toBandwidth);
  }

  @Override
  public void movedEdge(String from, String to) {
    moves.add(from + "->" + to);
  }

  @Override
  public void progress(double playedSeconds, double stalledSeconds, double bufferSeconds) {
    played = playedSeconds;
    stalled = stalledSeconds;
    buffer = bufferSeconds;
    progressCalls++;
  }

  @Override
  public void ended(boolean gaveUp) {
    ended.add(gaveUp);
  }

  List<Req> errors(FetchResult.ErrorKind kind) {
    return requests.stream().filter(r -> r.result().error() == kind).toList();
  }
}
