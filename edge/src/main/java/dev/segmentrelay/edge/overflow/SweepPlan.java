package dev.segmentrelay.edge.overflow;

import dev.segmentrelay.common.s3.S3ObjectSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the sweeper deletes from one listing of the tier's prefix: every object older than {@code
 * maxAge}, then the oldest of the rest until at most {@code maxBytes} remain. A pure function of
 * the listing and the time, so that several edges sweeping the same shared prefix reach the same
 * answer; deleting a key another edge deleted already is a no-op in S3.
 */
final class SweepPlan {
  private SweepPlan() {}

  static List<String> select(
      List<S3ObjectSummary> listing, Instant now, Duration maxAge, long maxBytes) {
    Instant cutoff = now.minus(maxAge);
    List<S3ObjectSummary> sorted = new ArrayList<>(listing);
    sorted.sort(
        Comparator.comparing(S3ObjectSummary::lastModified).thenComparing(S3ObjectSummary::key));
    long total = 0;
    for (S3ObjectSummary s : sorted) {
      total += s.size();
    }
    List<String> victims = new ArrayList<>();
    for (S3ObjectSummary s : sorted) {
      if (s.lastModified().isBefore(cutoff) || total > maxBytes) {
        victims.add(s.key());
        total -= s.size();
      } else {
        break; // sorted oldest first: everything after is younger and fits
      }
    }
    return victims;
  }
}
