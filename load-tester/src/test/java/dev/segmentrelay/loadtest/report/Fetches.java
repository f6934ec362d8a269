package dev.segmentrelay.loadtest.report;

import dev.segmentrelay.loadtest.player.FetchResult;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import java.util.Optional;

/** Synthetic fetch results for the report tests. */
final class Fetches {
  private Fetches() {}

  static FetchResult ok(String edge, String cache, long bytes, double millis) {
    return new FetchResult(
        "http://127.0.0.1/live/room1/seg.ts",
        200,
        ErrorKind.NONE,
        bytes,
        millis,
        Optional.empty(),
        Optional.ofNullable(edge),
        Optional.ofNullable(cache));
  }

  static FetchResult failed(String edge, ErrorKind kind) {
    return new FetchResult(
        "http://127.0.0.1/live/room1/seg.ts",
        kind == ErrorKind.HTTP_5XX ? 503 : 0,
        kind,
        0,
        5,
        Optional.empty(),
        Optional.ofNullable(edge),
        Optional.empty());
  }
}
