package dev.segmentrelay.origin.dash;

import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.MpdXml;
import dev.segmentrelay.common.media.dash.XsDuration;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Renders the origin's MPD from the source DOM. Everything the origin does not need to change is
 * kept (root attributes and children, AdaptationSet and Representation attributes and descriptors).
 * What changes:
 *
 * <ul>
 *   <li>every BaseURL and Location goes: all URLs become relative to the published MPD;
 *   <li>one Period per epoch, {@code @id} the epoch tag, {@code @start} on the origin's timeline;
 *   <li>each listed Representation gets its own SegmentTemplate with the origin names and an
 *       explicit SegmentTimeline of exactly the segments stored; Representations with nothing
 *       stored are left out, and so are AdaptationSets left empty;
 *   <li>{@code publishTime}, {@code availabilityStartTime} and, once the source ended, {@code
 *       type="static"} with {@code mediaPresentationDuration}.
 * </ul>
 */
final class MpdRenderer {
  /** One Representation as published. */
  record RepresentationPlan(
      String id,
      String media,
      Optional<String> initialization,
      long timescale,
      long presentationTimeOffset,
      boolean numbered,
      List<StoredSegment> segments) {
    RepresentationPlan {
      segments = List.copyOf(segments);
    }

    Duration end() {
      StoredSegment last = segments.get(segments.size() - 1);
      long units = last.time() + last.duration() - presentationTimeOffset;
      return Duration.ofNanos(Math.round(units * 1e9 / timescale));
    }
  }

  /** One Period (epoch) as published, taken from the source Period {@code sourcePeriodIndex}. */
  record PeriodPlan(
      String id,
      Duration start,
      Mpd source,
      int sourcePeriodIndex,
      List<RepresentationPlan> representations) {
    PeriodPlan {
      representations = List.copyOf(representations);
    }
  }

  private static final String[] ADDRESSING = {
    "BaseURL", "SegmentTemplate", "SegmentList", "SegmentBase"
  };

  private MpdRenderer() {}

  /**
   * @param latest the newest good source MPD (root attributes and non-Period children come from it)
   * @param availabilityStart the origin timeline's anchor, for a dynamic MPD
   * @param periods oldest first, never empty
   * @param ended publish a static MPD
   * @param timeShiftBufferDepth replaces the source's, for a dynamic MPD (DVR window)
   */
  static byte[] render(
      Mpd latest,
      Optional<Instant> availabilityStart,
      List<PeriodPlan> periods,
      Instant publishTime,
      boolean ended,
      Optional<Duration> timeShiftBufferDepth) {
    Document doc = latest.copyDocument();
    Element root = doc.getDocumentElement();
    List<Element> sourcePeriods = MpdXml.children(root, "Period");
    Node periodsEndBefore = sourcePeriods.get(sourcePeriods.size() - 1).getNextSibling();
    for (Element p : sourcePeriods) {
      root.removeChild(p);
    }
    MpdXml.removeChildren(root, "BaseURL", "Location", "PatchLocation");
    root.setAttribute("publishTime", publishTime.truncatedTo(ChronoUnit.MILLIS).toString());
    if (ended) {
      root.setAttribute("type", "static");
      for (String dynamicOnly :
          new String[] {
            "minimumUpdatePeriod",
            "timeShiftBufferDepth",
            "availabilityStartTime",
            "suggestedPresentationDelay"
          }) {
        root.removeAttribute(dynamicOnly);
      }
      PeriodPlan last = periods.get(periods.size() - 1);
      Duration end =
          last.representations().stream()
              .map(RepresentationPlan::end)
              .max(Duration::compareTo)
              .orElse(Duration.ZERO);
      root.setAttribute("mediaPresentationDuration", XsDuration.format(last.start().plus(end)));
    } else {
      root.setAttribute("type", "dynamic");
      root.removeAttribute("mediaPresentationDuration");
      timeShiftBufferDepth.ifPresent(
          d -> root.setAttribute("timeShiftBufferDepth", XsDuration.format(d)));
      availabilityStart.ifPresent(
          a ->
              root.setAttribute(
                  "availabilityStartTime", a.truncatedTo(ChronoUnit.MILLIS).toString()));
    }
    for (PeriodPlan plan : periods) {
      Element period = plan.source().importPeriod(plan.sourcePeriodIndex(), doc);
      rewritePeriod(period, plan);
      root.insertBefore(period, periodsEndBefore);
    }
    return MpdXml.write(doc);
  }

  private static void rewritePeriod(Element period, PeriodPlan plan) {
    period.setAttribute("id", plan.id());
    period.setAttribute("start", XsDuration.format(plan.start()));
    period.removeAttribute("duration");
    MpdXml.removeChildren(period, ADDRESSING);
    Map<String, RepresentationPlan> byId = new HashMap<>();
    plan.representations().forEach(r -> byId.put(r.id(), r));
    for (Element set : MpdXml.children(period, "AdaptationSet")) {
      MpdXml.removeChildren(set, ADDRESSING);
      for (Element representation : MpdXml.children(set, "Representation")) {
        RepresentationPlan published = byId.get(representation.getAttribute("id"));
        if (published == null) {
          set.removeChild(representation);
          continue;
        }
        MpdXml.removeChildren(representation, ADDRESSING);
        representation.appendChild(segmentTemplate(representation, published));
      }
      if (MpdXml.children(set, "Representation").isEmpty()) {
        period.removeChild(set);
      }
    }
  }

  private static Element segmentTemplate(Element representation, RepresentationPlan plan) {
    Element template = MpdXml.createLike(representation, "SegmentTemplate");
    template.setAttribute("timescale", Long.toString(plan.timescale()));
    if (plan.presentationTimeOffset() != 0) {
      template.setAttribute("presentationTimeOffset", Long.toString(plan.presentationTimeOffset()));
    }
    if (plan.numbered()) {
      template.setAttribute("startNumber", Long.toString(plan.segments().get(0).number()));
    }
    plan.initialization().ifPresent(i -> template.setAttribute("initialization", i));
    template.setAttribute("media", plan.media());
    Element timeline = MpdXml.createLike(representation, "SegmentTimeline");
    Element run = null;
    long repeats = 0;
    long expectedTime = Long.MIN_VALUE;
    for (StoredSegment segment : plan.segments()) {
      boolean continues = segment.time() == expectedTime;
      if (run != null && continues && segment.duration() == Long.parseLong(run.getAttribute("d"))) {
        repeats++;
        run.setAttribute("r", Long.toString(repeats));
      } else {
        run = MpdXml.createLike(representation, "S");
        if (!continues) {
          run.setAttribute("t", Long.toString(segment.time()));
        }
        run.setAttribute("d", Long.toString(segment.duration()));
        repeats = 0;
        timeline.appendChild(run);
      }
      expectedTime = segment.time() + segment.duration();
    }
    template.appendChild(timeline);
    return template;
  }
}
