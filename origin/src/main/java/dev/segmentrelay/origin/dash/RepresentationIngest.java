package dev.segmentrelay.origin.dash;

import dev.segmentrelay.common.media.dash.DashSegment;
import dev.segmentrelay.common.media.dash.Representation;
import dev.segmentrelay.common.media.dash.SegmentTemplate;
import dev.segmentrelay.common.media.dash.SegmentUrlTemplate;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.store.SegmentStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One representation within one epoch: its origin names, the segments waiting to be fetched (in
 * order) and the window of segments stored. Confined to the stream's event loop.
 */
final class RepresentationIngest {
  final String id;
  final long bandwidth;
  final String mediaName;
  final Optional<String> initPath;
  final long timescale;
  final long presentationTimeOffset;
  final boolean numbered;

  /** The representation as the newest source MPD describes it (URLs come from here). */
  Representation source;

  boolean initStored;
  Instant initRetryNotBefore = Instant.MIN;
  boolean busy;
  final ArrayDeque<DashSegment> pending = new ArrayDeque<>();
  final ArrayDeque<StoredSegment> window = new ArrayDeque<>();

  /** Every segment stored in this epoch, oldest first (archive on only; filled by the stream). */
  final StateLog<StoredSegment> all;

  private final int windowSize;
  private long lastQueuedTime = Long.MIN_VALUE;
  private long newestSourceTime = Long.MIN_VALUE;
  private long newestSourceNumber = Long.MIN_VALUE;

  /**
   * @param shift how much later the epoch's Period starts than the source's timeline says (a
   *     restarted origin continuing the same transcoder run): added to the presentation time offset
   *     so that media times keep their place
   * @param all the (empty) log its stored segments go to, for the archive state
   * @throws IllegalArgumentException when the origin names would not be safe paths
   */
  RepresentationIngest(
      Representation source,
      URI mpdUrl,
      String epochTag,
      int windowSize,
      Duration shift,
      StateLog<StoredSegment> all) {
    SegmentTemplate template = source.template();
    this.all = all;
    this.id = source.id();
    this.bandwidth = source.bandwidth();
    this.source = source;
    this.windowSize = windowSize;
    this.timescale = template.timescale();
    this.presentationTimeOffset =
        template.presentationTimeOffset() + Math.round(shift.toNanos() / 1e9 * timescale);
    this.numbered = template.mediaUsesNumber();
    this.mediaName = OriginNames.prefixed(template.media(), source.baseUrl(), mpdUrl, epochTag);
    OriginNames.requireSafe(mediaName, id, bandwidth);
    this.initPath =
        template
            .initialization()
            .map(
                t ->
                    SegmentUrlTemplate.expand(
                        OriginNames.prefixed(t, source.baseUrl(), mpdUrl, epochTag),
                        id,
                        bandwidth,
                        0,
                        0));
    initPath.ifPresent(p -> OriginNames.requireSafe(p, id, bandwidth));
    this.initStored = initPath.isEmpty();
  }

  /**
   * A representation of an epoch restored from the archive: nothing more is fetched for it (its
   * epoch is closed), it only lists the segments a previous origin run stored.
   *
   * @param all {@code state}'s segments, as restored
   */
  RepresentationIngest(
      DashArchiveState.RepresentationState state, int windowSize, StateLog<StoredSegment> all) {
    this.all = all;
    this.id = state.id();
    this.bandwidth = state.bandwidth();
    this.source = null;
    this.windowSize = windowSize;
    this.timescale = state.timescale();
    this.presentationTimeOffset = state.presentationTimeOffset();
    this.numbered = state.numbered();
    this.mediaName = state.mediaName();
    this.initPath = state.initPath();
    this.initStored = true;
    for (StoredSegment segment : all) {
      stored(segment);
    }
    if (!all.isEmpty()) {
      StoredSegment newest = all.get(all.size() - 1);
      lastQueuedTime = newest.time();
      newestSourceTime = newest.time();
      newestSourceNumber = newest.number();
    }
  }

  /** This representation's part of the archive state. */
  DashArchiveState.RepresentationState state() {
    return new DashArchiveState.RepresentationState(
        id,
        bandwidth,
        mediaName,
        initPath,
        timescale,
        presentationTimeOffset,
        numbered,
        all.snapshot());
  }

  /**
   * Continues where a previous origin run stopped with the same transcoder run: only segments newer
   * than {@code earlier}'s newest are queued.
   */
  void continueAfter(RepresentationIngest earlier) {
    lastQueuedTime = Math.max(lastQueuedTime, earlier.lastQueuedTime);
  }

  /** The origin path of a source segment. */
  String originPath(DashSegment segment) {
    return SegmentUrlTemplate.expand(mediaName, id, bandwidth, segment.number(), segment.time());
  }

  /**
   * True when the source's newest segment lies before the newest one seen earlier: the transcoder
   * started again from zero.
   */
  boolean wentBackwards(List<DashSegment> listed) {
    if (listed.isEmpty() || newestSourceTime == Long.MIN_VALUE) {
      return false;
    }
    DashSegment newest = listed.get(listed.size() - 1);
    return newest.time() < newestSourceTime || (numbered && newest.number() < newestSourceNumber);
  }

  String describeNewest() {
    return "time " + newestSourceTime + (numbered ? ", number " + newestSourceNumber : "");
  }

  /** Queues the listed segments not queued before, keeping at most {@code windowSize} waiting. */
  void offer(List<DashSegment> listed) {
    for (DashSegment segment : listed) {
      if (segment.time() > lastQueuedTime) {
        pending.addLast(segment);
        lastQueuedTime = segment.time();
      }
    }
    while (pending.size() > windowSize) {
      pending.removeFirst();
    }
    if (!listed.isEmpty()) {
      DashSegment newest = listed.get(listed.size() - 1);
      newestSourceTime = Math.max(newestSourceTime, newest.time());
      newestSourceNumber = Math.max(newestSourceNumber, newest.number());
    }
  }

  void stored(StoredSegment segment) {
    window.addLast(segment);
    while (window.size() > windowSize) {
      window.removeFirst();
    }
  }

  boolean idle() {
    return !busy && pending.isEmpty();
  }

  /** Drops the queue; whatever is in flight is discarded when it completes. */
  void abandon() {
    pending.clear();
  }

  boolean initAvailable(SegmentStore store, String stream) {
    return initPath.map(p -> store.contains(stream, p)).orElse(true);
  }

  /**
   * The newest stored segments, at most {@code max}, that are still in the store, oldest first.
   * With {@code $Number$} names they must be consecutive (a timeline numbers its entries one by
   * one), so the run stops at a skipped segment; with {@code $Time$} names a gap is fine.
   */
  List<StoredSegment> publishable(SegmentStore store, String stream, int max) {
    List<StoredSegment> out = new ArrayList<>();
    StoredSegment newer = null;
    for (Iterator<StoredSegment> it = window.descendingIterator(); it.hasNext(); ) {
      StoredSegment segment = it.next();
      if (out.size() == max
          || !store.contains(stream, segment.path())
          || (numbered && newer != null && segment.number() != newer.number() - 1)) {
        break;
      }
      out.add(segment);
      newer = segment;
    }
    Collections.reverse(out);
    return out;
  }

  /**
   * How much a published MPD still wants of one representation, walking back from the newest
   * segment across epochs: at least {@code segments} more, and more until {@code seconds} are
   * covered. {@code stopped} once a segment was missing (older ones are not listed: a timeline has
   * no holes the player could fall into).
   */
  static final class Budget {
    int segments;
    double seconds;
    boolean stopped;

    Budget(int segments, double seconds) {
      this.segments = segments;
      this.seconds = seconds;
    }

    boolean wantsMore() {
      return !stopped && (segments > 0 || seconds > 0);
    }
  }

  /**
   * DVR: the newest segments of {@link #all} within {@code budget} that are {@code available} (in
   * memory or confirmed by the archive), oldest first, spending the budget. With {@code $Number$}
   * names the run stops at a skipped number.
   */
  List<StoredSegment> dvrRun(Predicate<String> available, Budget budget) {
    List<StoredSegment> out = new ArrayList<>();
    StoredSegment newer = null;
    for (int i = all.size() - 1; i >= 0 && budget.wantsMore(); i--) {
      StoredSegment segment = all.get(i);
      if (!available.test(segment.path())
          || (numbered && newer != null && segment.number() != newer.number() - 1)) {
        budget.stopped = true;
        break;
      }
      out.add(segment);
      budget.segments--;
      budget.seconds -= (double) segment.duration() / timescale;
      newer = segment;
    }
    Collections.reverse(out);
    return out;
  }

  /**
   * The segments of {@link #all} a replay can list: all of them, or with {@code $Number$} names
   * only the newest consecutive run (a timeline numbers its entries one by one).
   */
  List<StoredSegment> replayable() {
    int from = 0;
    if (numbered) {
      for (int i = 1; i < all.size(); i++) {
        if (all.get(i).number() != all.get(i - 1).number() + 1) {
          from = i;
        }
      }
    }
    return List.copyOf(all.subList(from, all.size()));
  }

  /** End of the newest stored segment, relative to the start of the Period, in seconds. */
  double endSeconds() {
    StoredSegment last = window.peekLast();
    return last == null
        ? 0
        : (double) (last.time() + last.duration() - presentationTimeOffset) / timescale;
  }
}
