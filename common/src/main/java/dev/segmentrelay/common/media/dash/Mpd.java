package dev.segmentrelay.common.media.dash;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A parsed MPD: the attributes and structure ingest needs, plus the DOM it came from, so that a
 * republisher changes only what it must and keeps everything else (ServiceDescription, labels,
 * accessibility, content protection…).
 *
 * <p>Instances are immutable from the outside: the DOM is never handed out, only copied. Built by
 * {@link MpdParser}.
 */
public final class Mpd {
  /** {@code MPD@type}. */
  public enum Type {
    STATIC,
    DYNAMIC
  }

  private final Document document;
  private final URI location;
  private final Type type;
  private final Optional<Instant> availabilityStartTime;
  private final Optional<Instant> publishTime;
  private final Optional<Duration> minimumUpdatePeriod;
  private final Optional<Duration> timeShiftBufferDepth;
  private final Optional<Duration> suggestedPresentationDelay;
  private final Optional<Duration> maxSegmentDuration;
  private final Optional<Duration> mediaPresentationDuration;
  private final List<Period> periods;

  Mpd(
      Document document,
      URI location,
      Type type,
      Optional<Instant> availabilityStartTime,
      Optional<Instant> publishTime,
      Optional<Duration> minimumUpdatePeriod,
      Optional<Duration> timeShiftBufferDepth,
      Optional<Duration> suggestedPresentationDelay,
      Optional<Duration> maxSegmentDuration,
      Optional<Duration> mediaPresentationDuration,
      List<Period> periods) {
    this.document = document;
    this.location = location;
    this.type = type;
    this.availabilityStartTime = availabilityStartTime;
    this.publishTime = publishTime;
    this.minimumUpdatePeriod = minimumUpdatePeriod;
    this.timeShiftBufferDepth = timeShiftBufferDepth;
    this.suggestedPresentationDelay = suggestedPresentationDelay;
    this.maxSegmentDuration = maxSegmentDuration;
    this.mediaPresentationDuration = mediaPresentationDuration;
    this.periods = List.copyOf(periods);
  }

  /** Where the MPD was fetched from; relative URLs in it resolve against this. */
  public URI location() {
    return location;
  }

  public Type type() {
    return type;
  }

  public boolean isDynamic() {
    return type == Type.DYNAMIC;
  }

  public Optional<Instant> availabilityStartTime() {
    return availabilityStartTime;
  }

  public Optional<Instant> publishTime() {
    return publishTime;
  }

  public Optional<Duration> minimumUpdatePeriod() {
    return minimumUpdatePeriod;
  }

  public Optional<Duration> timeShiftBufferDepth() {
    return timeShiftBufferDepth;
  }

  public Optional<Duration> suggestedPresentationDelay() {
    return suggestedPresentationDelay;
  }

  public Optional<Duration> maxSegmentDuration() {
    return maxSegmentDuration;
  }

  public Optional<Duration> mediaPresentationDuration() {
    return mediaPresentationDuration;
  }

  /** The Periods, in document order; never empty. */
  public List<Period> periods() {
    return periods;
  }

  /** The last Period: the live one in a dynamic MPD. */
  public Period lastPeriod() {
    return periods.get(periods.size() - 1);
  }

  /** A deep copy of the whole document, for a republisher to edit. */
  public Document copyDocument() {
    synchronized (document) {
      return (Document) document.cloneNode(true);
    }
  }

  /** A deep copy of the Period element at {@code periodIndex}, owned by {@code target}. */
  public Element importPeriod(int periodIndex, Document target) {
    synchronized (document) {
      Element period = MpdXml.children(document.getDocumentElement(), "Period").get(periodIndex);
      return (Element) target.importNode(period, true);
    }
  }

  /**
   * The segments {@code representation} has at this moment, oldest first, at most the newest {@code
   * maxSegments}.
   *
   * <p>With a SegmentTimeline, they are the timeline's entries ({@code @r="-1"} repeats up to the
   * next {@code S@t}, the end of the Period, or, in a dynamic MPD, the last segment that has ended
   * by now). With {@code $Number$} and {@code @duration}, they follow the DASH-IF live guidelines:
   * in a dynamic MPD, segment {@code i} of a Period starting at wall-clock time {@code PST} is
   * available from {@code PST + (i+1)·duration} until {@code timeShiftBufferDepth} later; in a
   * static MPD, the Period's duration is cut into segments.
   *
   * @param clock wall clock, read once
   */
  public List<DashSegment> segments(Representation representation, Clock clock, int maxSegments) {
    if (maxSegments < 1) {
      throw new IllegalArgumentException("maxSegments must be at least 1, was " + maxSegments);
    }
    Period period = periods.get(representation.periodIndex());
    SegmentTemplate template = representation.template();
    long timescale = template.timescale();
    long offset = template.presentationTimeOffset();
    OptionalLong periodEnd =
        period.duration().isPresent()
            ? OptionalLong.of(offset + toUnits(period.duration().get(), timescale))
            : OptionalLong.empty();
    OptionalLong now = OptionalLong.empty();
    if (isDynamic() && availabilityStartTime.isPresent()) {
      Instant periodStart = availabilityStartTime.get().plus(period.start());
      now =
          OptionalLong.of(
              offset + toUnits(Duration.between(periodStart, clock.instant()), timescale));
    }
    return template.timeline().isPresent()
        ? fromTimeline(representation, template.timeline().get(), periodEnd, now, maxSegments)
        : fromDuration(representation, periodEnd, now, maxSegments);
  }

  private static List<DashSegment> fromTimeline(
      Representation representation,
      SegmentTimeline timeline,
      OptionalLong periodEnd,
      OptionalLong now,
      int maxSegments) {
    ArrayDeque<DashSegment> newest = new ArrayDeque<>(maxSegments + 1);
    List<SegmentTimeline.Entry> entries = timeline.entries();
    long number = representation.template().startNumber();
    long time = 0;
    for (int i = 0; i < entries.size(); i++) {
      SegmentTimeline.Entry entry = entries.get(i);
      if (entry.t().isPresent()) {
        time = entry.t().getAsLong();
      }
      long d = entry.d();
      long count;
      if (entry.r() >= 0) {
        count = entry.r() + 1;
      } else if (i + 1 < entries.size() && entries.get(i + 1).t().isPresent()) {
        count = Math.max(0, ceilDiv(entries.get(i + 1).t().getAsLong() - time, d));
      } else if (periodEnd.isPresent()) {
        count = Math.max(0, ceilDiv(periodEnd.getAsLong() - time, d));
      } else if (now.isPresent()) {
        count = Math.max(0, Math.floorDiv(now.getAsLong() - time, d));
      } else {
        count = 1;
      }
      long skipped = Math.max(0, count - maxSegments);
      number += skipped;
      time += skipped * d;
      for (long k = skipped; k < count; k++) {
        add(newest, segment(representation, number, time, d), maxSegments);
        number++;
        time += d;
      }
    }
    return new ArrayList<>(newest);
  }

  private List<DashSegment> fromDuration(
      Representation representation, OptionalLong periodEnd, OptionalLong now, int maxSegments) {
    SegmentTemplate template = representation.template();
    long d = template.duration().orElseThrow();
    long offset = template.presentationTimeOffset();
    long first;
    long end;
    if (now.isPresent()) {
      long elapsed = now.getAsLong() - offset;
      if (elapsed < 0) {
        return List.of();
      }
      end = Math.floorDiv(elapsed, d);
      if (periodEnd.isPresent()) {
        end = Math.min(end, ceilDiv(periodEnd.getAsLong() - offset, d));
      }
      first = 0;
      if (timeShiftBufferDepth.isPresent()) {
        long depth = toUnits(timeShiftBufferDepth.get(), template.timescale());
        first = Math.max(0, ceilDiv(elapsed - depth, d) - 1);
      }
    } else if (periodEnd.isPresent()) {
      first = 0;
      end = ceilDiv(periodEnd.getAsLong() - offset, d);
    } else {
      return List.of();
    }
    first = Math.max(first, end - maxSegments);
    List<DashSegment> out = new ArrayList<>();
    for (long i = first; i < end; i++) {
      long time = offset + i * d;
      long duration = d;
      if (periodEnd.isPresent() && time + d > periodEnd.getAsLong()) {
        duration = Math.max(1, periodEnd.getAsLong() - time);
      }
      out.add(segment(representation, template.startNumber() + i, time, duration));
    }
    return out;
  }

  private static DashSegment segment(
      Representation representation, long number, long time, long duration) {
    SegmentTemplate template = representation.template();
    long timescale = template.timescale();
    Duration start = toDuration(time - template.presentationTimeOffset(), timescale);
    return new DashSegment(
        number, time, duration, timescale, start, representation.mediaUrl(number, time));
  }

  private static void add(ArrayDeque<DashSegment> newest, DashSegment segment, int max) {
    newest.addLast(segment);
    if (newest.size() > max) {
      newest.removeFirst();
    }
  }

  /** A duration in timescale units, rounded towards negative infinity. */
  static long toUnits(Duration duration, long timescale) {
    BigDecimal seconds =
        BigDecimal.valueOf(duration.getSeconds()).add(BigDecimal.valueOf(duration.getNano(), 9));
    return seconds
        .multiply(BigDecimal.valueOf(timescale))
        .setScale(0, RoundingMode.FLOOR)
        .longValueExact();
  }

  /** Timescale units as a duration, to the nanosecond. */
  static Duration toDuration(long units, long timescale) {
    long seconds = Math.floorDiv(units, timescale);
    long remainder = Math.floorMod(units, timescale);
    return Duration.ofSeconds(seconds, remainder * 1_000_000_000L / timescale);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
