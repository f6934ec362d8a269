package dev.segmentrelay.origin.dash;

import dev.segmentrelay.common.http.Etags;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.common.media.dash.AdaptationSet;
import dev.segmentrelay.common.media.dash.DashSegment;
import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.MpdParseException;
import dev.segmentrelay.common.media.dash.MpdParser;
import dev.segmentrelay.common.media.dash.Period;
import dev.segmentrelay.common.media.dash.Representation;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.SegmentEvents;
import dev.segmentrelay.common.registry.StreamCatalog;
import dev.segmentrelay.common.registry.StreamRecord;
import dev.segmentrelay.origin.LiveDocument;
import dev.segmentrelay.origin.OriginConfig;
import dev.segmentrelay.origin.PublishedStream;
import dev.segmentrelay.origin.StreamStates;
import dev.segmentrelay.origin.StreamStatus;
import dev.segmentrelay.origin.archive.Archive;
import dev.segmentrelay.origin.archive.ArchivedState;
import dev.segmentrelay.origin.archive.StateLog;
import dev.segmentrelay.origin.ingest.EpochTag;
import dev.segmentrelay.origin.ingest.IngestMetrics;
import dev.segmentrelay.origin.ingest.IngestSource;
import dev.segmentrelay.origin.store.SegmentStore;
import dev.segmentrelay.origin.store.StoredObject;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DASH stream pulled from a transcoder's MPD and republished under {@code /live/{name}/}.
 *
 * <p><b>Polling.</b> The source MPD is fetched every {@code minimumUpdatePeriod} or every segment
 * duration, whichever is shorter ({@code $Number$}/{@code @duration} sources announce new segments
 * by the clock, not by MPD updates), never more often than every {@value #MIN_POLL_MILLIS} ms;
 * {@link OriginConfig#pollInterval()} overrides both. A failed fetch or a malformed MPD is logged,
 * the poll backs off exponentially up to {@value #MAX_POLL_BACKOFF_MILLIS} ms, and the last good
 * MPD stays published.
 *
 * <p><b>Epochs.</b> A transcoder restart starts numbers and times again, so names would repeat.
 * Every uninterrupted run of the source is an epoch with a tag ({@code "e"} + the start time in
 * base-36 milliseconds, strictly increasing) in front of every file name it produces; the origin
 * therefore never serves two different byte sequences under one name. A new epoch starts when the
 * source's {@code availabilityStartTime} or live Period changes, or when a representation's newest
 * segment goes back in time or number. Each epoch is one Period of the published MPD, whose start
 * is the new run's {@code availabilityStartTime} measured from the first run's (and never before
 * the end of the previous Period), so media time only moves forward for players.
 *
 * <p><b>Consistency.</b> Per representation, the init segment is fetched once per epoch, then each
 * new segment once, in order, one request at a time (representations in parallel). A failing
 * segment is retried with back-off a few times and then skipped, so nothing blocks the stream. The
 * published MPD is re-rendered after each stored object and lists, per representation, only
 * segments in the store (the newest {@link OriginConfig#playlistWindow()} across epochs) as an
 * explicit SegmentTimeline: a published MPD never names an object the origin lacks.
 *
 * <p><b>Archive (replay).</b> With an {@link Archive} enabled, every segment and init segment is
 * also queued to S3 as it is stored (the archive writes off the event loop; ingest never waits),
 * and every epoch's segments are remembered from the start. Once the source ended and the archive
 * holds all of them, the same MPD path serves a static MPD listing every segment since the stream
 * started; the HTTP layer answers the ones memory dropped from S3. Until then (S3 slow or away) the
 * static MPD lists the memory window, as without an archive. With a DVR window, the live MPD
 * reaches back over it across epochs, listing segments in memory or confirmed by S3 ({@link
 * #publishDvr}). After each segment the stream's {@link DashArchiveState} is queued: a head naming
 * the sealed chunks of each representation's list ({@link StateLog}; a chunk is queued once as it
 * seals, and a closed epoch's tail is sealed with it) with only the unsealed tails inline. A
 * restarted origin restores head and chunks in {@link #start()}, lists the restored Periods at once
 * and takes the next MPD into a later epoch (continuing after the restored segments when the
 * transcoder kept running).
 *
 * <p><b>Threading.</b> Ingest state lives on one Vert.x context and is touched only there;
 * completions from the {@link IngestSource} are moved onto it. {@link #document} and {@link
 * #status} read volatile snapshots and may be called from any thread.
 */
public final class DashStream implements PublishedStream {
  private static final Logger log = LoggerFactory.getLogger(DashStream.class);

  static final long MIN_POLL_MILLIS = 500;
  static final long MAX_POLL_BACKOFF_MILLIS = 4000;
  static final Duration DEFAULT_POLL = Duration.ofSeconds(2);
  static final Duration INIT_RETRY_PAUSE = Duration.ofSeconds(2);

  /** Periods (epochs) a published MPD may show; fewer than the store keeps init segments. */
  static final int EPOCHS_PUBLISHED = 3;

  private static final String CONTENT_TYPE = "application/dash+xml";

  /**
   * How a failing segment or init segment is retried before it is given up: by default over about
   * four seconds, enough for a transcoder whose clock runs a little behind its MPD's promises.
   */
  record RetryPolicy(int attempts, Duration firstDelay) {
    static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(250));
  }

  private final String name;
  private final URI mpdUrl;
  private final String entry;
  private final IngestSource source;
  private final SegmentStore store;
  private final SegmentEvents events;
  private final StreamCatalog catalog;
  private final OriginConfig config;
  private final Vertx vertx;
  private final Clock clock;
  private final RetryPolicy retry;
  private final Context context;
  private final Archive archive;

  // Event-loop state.
  private final List<Epoch> epochs = new ArrayList<>();

  /** Every epoch since the start, for the replay (archive on only). */
  private final List<Epoch> history = new ArrayList<>();

  private boolean replayPublished;
  private boolean restoreTried;
  private boolean restoredTagUnused;
  private int stateChunkSize = StateLog.DEFAULT_CHUNK_SIZE;

  /** The DVR window stopped at a segment not yet confirmed by S3: re-render when one lands. */
  private boolean dvrShort;

  private Mpd latest;
  private Instant anchor;
  private EpochTag epochTags;
  private boolean sourceEnded;
  private boolean dirty;
  private int pollFailures;
  private Duration pollDelay = DEFAULT_POLL;
  private long pollTimer = -1;
  private boolean stopped;
  private boolean running;
  private StreamRecord lastRecord;

  // Snapshots for other threads.
  private volatile LiveDocument published;
  private volatile boolean publishedEnded;
  private volatile Instant startedAt;
  private volatile Instant newestSegmentAt;
  private volatile long segmentsPublished;
  private volatile String epochTag = "";
  private volatile List<String> renditions = List.of();
  private volatile String lastError;
  private final IngestMetrics metrics;

  /** A pulled DASH stream written through to {@code archive}. */
  public DashStream(
      String name,
      URI mpdUrl,
      IngestSource source,
      SegmentStore store,
      SegmentEvents events,
      StreamCatalog catalog,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      Archive archive) {
    this(
        name,
        mpdUrl,
        source,
        store,
        events,
        catalog,
        config,
        vertx,
        clock,
        meters,
        RetryPolicy.DEFAULT,
        archive);
  }

  DashStream(
      String name,
      URI mpdUrl,
      IngestSource source,
      SegmentStore store,
      SegmentEvents events,
      StreamCatalog catalog,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      RetryPolicy retry,
      Archive archive) {
    this.name = name;
    this.archive = archive;
    this.metrics = new IngestMetrics(meters, name);
    this.mpdUrl = mpdUrl;
    this.entry = entryName(mpdUrl);
    this.source = source;
    this.store = store;
    this.events = events;
    this.catalog = catalog;
    this.config = config;
    this.vertx = vertx;
    this.clock = clock;
    this.retry = retry;
    this.context = vertx.getOrCreateContext();
    this.startedAt = clock.instant();
    archive.onHeld(name, path -> context.runOnContext(v -> onArchived()));
  }

  private static String entryName(URI mpdUrl) {
    String path = mpdUrl.getPath() == null ? "" : mpdUrl.getPath();
    String file = path.substring(path.lastIndexOf('/') + 1);
    String valid = MediaPath.validRelativePath(file);
    if (ObjectKind.of(valid).orElse(null) != ObjectKind.MANIFEST) {
      throw new IllegalArgumentException(
          "DASH source URL '" + mpdUrl + "' does not name an .mpd file");
    }
    return valid;
  }

  /** Entries per sealed state chunk (tests use small ones); set before {@link #start()}. */
  DashStream stateChunkSize(int entries) {
    this.stateChunkSize = entries;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<LiveDocument> document(String path) {
    LiveDocument current = published;
    return current != null && entry.equals(path) ? Optional.of(current) : Optional.empty();
  }

  @Override
  public StreamStatus status() {
    Instant now = clock.instant();
    Instant newest = newestSegmentAt;
    return new StreamStatus(
        name,
        "dash",
        "pull",
        state(now),
        entry,
        renditions,
        newest == null ? Optional.empty() : Optional.of(Duration.between(newest, now)),
        segmentsPublished,
        epochTag,
        startedAt,
        Optional.ofNullable(lastError));
  }

  private String state(Instant now) {
    return StreamStates.of(
        published == null ? Optional.empty() : Optional.ofNullable(newestSegmentAt),
        publishedEnded,
        now,
        config.stalledAfter());
  }

  @Override
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context.runOnContext(
        v -> {
          if (running) {
            started.complete();
            return;
          }
          running = true;
          stopped = false;
          startedAt = clock.instant();
          if (!archive.enabled() || restoreTried) {
            begin(started);
            return;
          }
          restoreTried = true;
          ArchivedState.restore(
              archive,
              name,
              context,
              DashArchiveState::decodeHead,
              this::restore,
              () -> begin(started));
        });
    return started.future();
  }

  private void begin(Promise<Void> started) {
    updateCatalog();
    poll();
    started.complete();
  }

  /**
   * Takes over the Periods a previous origin run left in the archive (on the context): they are
   * listed at once (DVR window, replay) and the next MPD fetched starts a later epoch.
   */
  private void restore(DashArchiveState state) {
    // Everything is parsed before anything changes: a state refused half-way leaves no trace.
    List<Epoch> restored = new ArrayList<>();
    List<String> held = new ArrayList<>();
    int segments = 0;
    EpochTag tags = new EpochTag(clock);
    String next = tags.advancePast(state.epoch());
    int logs = 0;
    for (DashArchiveState.EpochState es : state.epochs()) {
      Mpd source;
      try {
        source = MpdParser.parse(es.sourceMpd(), mpdUrl);
      } catch (MpdParseException e) {
        throw new IllegalArgumentException(
            "the source MPD of epoch " + es.tag() + " does not parse: " + e.getMessage(), e);
      }
      Epoch epoch =
          new Epoch(
              es.tag(),
              es.sourceAvailabilityStart(),
              es.sourcePeriodId(),
              es.publishedStart(),
              source,
              es.sourcePeriodIndex());
      epoch.sourceBytes = es.sourceMpd();
      epoch.restored = true;
      epoch.closed = true;
      for (DashArchiveState.RepresentationState rs : es.representations()) {
        // New chunks of a restored log (its tail, sealed below) are named after the next epoch,
        // which no earlier run used; "r" keeps them apart from that epoch's own logs.
        StateLog<StoredSegment> log =
            StateLog.restored(stateChunkSize, next + "-r" + logs++, rs.log());
        epoch.representations.put(
            rs.id(), new RepresentationIngest(rs, config.playlistWindow(), log));
        rs.initPath().ifPresent(held::add);
        rs.segments().forEach(seg -> held.add(seg.path()));
        segments += rs.segments().size();
      }
      restored.add(epoch);
    }
    epochTags = tags;
    restoredTagUnused = true;
    anchor = state.anchor().orElse(null);
    history.addAll(restored);
    epochs.addAll(
        restored.subList(Math.max(0, restored.size() - EPOCHS_PUBLISHED), restored.size()));
    if (!restored.isEmpty()) {
      latest = restored.get(restored.size() - 1).source;
    }
    archive.assumeHeld(name, held);
    // Restored epochs are closed: their tails are sealed now, so that heads stop carrying them.
    restored.forEach(this::sealAndWrite);
    epochTag = next;
    // An ended stream serves its replay at once, even if the transcoder's MPD is gone by now.
    sourceEnded = state.ended() && !restored.isEmpty();
    dirty = true;
    publish();
    log.info(
        "stream {}: restored {} period(s), {} segment(s) from the archive; continuing in epoch {}",
        name,
        restored.size(),
        segments,
        next);
  }

  /** Queues the stream's state object (a snapshot taken here, encoded on the archive's thread). */
  private void archiveState() {
    if (!archive.enabled()) {
      return;
    }
    List<DashArchiveState.EpochState> states = new ArrayList<>();
    for (Epoch epoch : history) {
      List<DashArchiveState.RepresentationState> reps = new ArrayList<>();
      for (RepresentationIngest ingest : epoch.representations.values()) {
        if (!ingest.all.isEmpty()) {
          reps.add(ingest.state());
        }
      }
      if (!reps.isEmpty()) {
        states.add(
            new DashArchiveState.EpochState(
                epoch.tag,
                epoch.sourceAvailabilityStart,
                epoch.sourcePeriodId,
                epoch.publishedStart,
                epoch.sourceBytes,
                epoch.sourcePeriodIndex,
                reps));
      }
    }
    Epoch current = current();
    DashArchiveState state =
        new DashArchiveState(
            Optional.ofNullable(anchor),
            current == null ? epochTag : current.tag,
            states,
            replayPublished);
    archive.writeState(name, state::encode);
  }

  /** Queues the state chunks of {@code ingest} sealed since the last call (before the head). */
  private void writeSealedChunks(RepresentationIngest ingest) {
    for (StateLog.Chunk<StoredSegment> chunk : ingest.all.takeSealed()) {
      archive.writeStateChunk(
          name, chunk.name(), () -> DashArchiveState.SEGMENTS.encodeChunk(chunk));
    }
  }

  /** A closed epoch's logs will not grow: their tails are sealed and queued. */
  private void sealAndWrite(Epoch epoch) {
    if (!archive.enabled()) {
      return;
    }
    for (RepresentationIngest ingest : epoch.representations.values()) {
      ingest.all.sealTail();
      writeSealedChunks(ingest);
    }
  }

  @Override
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          stopped = true;
          running = false;
          if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
            pollTimer = -1;
          }
          epochs.forEach(e -> e.representations.values().forEach(RepresentationIngest::abandon));
          done.complete();
        });
    return done.future();
  }

  // ---- polling ----------------------------------------------------------------------------

  private void poll() {
    pollTimer = -1;
    if (stopped) {
      return;
    }
    onLoop(
        source.fetch(mpdUrl, Optional.empty()),
        ar -> {
          if (stopped) {
            return;
          }
          if (ar.failed()) {
            pollFailed("fetching it failed: " + ar.cause().getMessage());
            return;
          }
          Mpd mpd;
          try {
            mpd = MpdParser.parse(ar.result().getBytes(), mpdUrl);
          } catch (MpdParseException e) {
            pollFailed("it is malformed: " + e.getMessage());
            return;
          }
          try {
            ingest(mpd, ar.result().getBytes());
          } catch (RuntimeException e) {
            log.error("stream {}: cannot ingest MPD {}", name, mpdUrl, e);
            pollFailed("it could not be ingested: " + e);
            return;
          }
          pollFailures = 0;
          pollDelay = pollDelay(mpd);
          scheduleNextPoll(pollDelay);
        });
  }

  private void pollFailed(String problem) {
    metrics.playlistError();
    pollFailures++;
    lastError = "MPD " + mpdUrl + ": " + problem;
    log.warn(
        "stream {}: MPD {} rejected, still serving the last good version: {}",
        name,
        mpdUrl,
        problem);
    long base = pollDelay.toMillis();
    long backoff = base << Math.min(pollFailures, 16);
    scheduleNextPoll(Duration.ofMillis(Math.min(backoff, Math.max(base, MAX_POLL_BACKOFF_MILLIS))));
    updateCatalog();
  }

  private void scheduleNextPoll(Duration delay) {
    if (!stopped) {
      pollTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> poll());
    }
  }

  private Duration pollDelay(Mpd mpd) {
    if (config.pollInterval().isPresent()) {
      return config.pollInterval().get();
    }
    Duration delay =
        Stream.of(mpd.minimumUpdatePeriod(), segmentDuration(mpd))
            .flatMap(Optional::stream)
            .min(Duration::compareTo)
            .orElse(DEFAULT_POLL);
    return delay.toMillis() < MIN_POLL_MILLIS ? Duration.ofMillis(MIN_POLL_MILLIS) : delay;
  }

  private static Optional<Duration> segmentDuration(Mpd mpd) {
    if (mpd.maxSegmentDuration().isPresent()) {
      return mpd.maxSegmentDuration();
    }
    return mpd.lastPeriod().adaptationSets().stream()
        .flatMap(s -> s.representations().stream())
        .map(Representation::template)
        .filter(t -> t.duration().isPresent())
        .map(t -> Duration.ofNanos(Math.round(t.duration().getAsLong() * 1e9 / t.timescale())))
        .findFirst();
  }

  // ---- ingest -----------------------------------------------------------------------------

  private void ingest(Mpd mpd, byte[] text) {
    Period period = mpd.lastPeriod();
    Map<Representation, List<DashSegment>> listed = new LinkedHashMap<>();
    for (AdaptationSet set : period.adaptationSets()) {
      for (Representation representation : set.representations()) {
        listed.put(representation, mpd.segments(representation, clock, config.playlistWindow()));
      }
    }
    Epoch epoch = current();
    Optional<String> restart =
        epoch == null || epoch.restored ? Optional.empty() : restartReason(epoch, mpd, listed);
    if (epoch == null || epoch.restored || restart.isPresent()) {
      epoch = beginEpoch(mpd, period);
      if (restart.isPresent()) {
        log.info("stream {}: source restarted ({}): new epoch {}", name, restart.get(), epoch.tag);
      }
    }
    epoch.source = mpd;
    epoch.sourcePeriodIndex = period.index();
    if (archive.enabled()) {
      epoch.sourceBytes = text;
    }
    latest = mpd;
    if (sourceEnded != !mpd.isDynamic()) {
      sourceEnded = !mpd.isDynamic();
      replayPublished = false;
      dirty = true;
    }
    List<String> ids = new ArrayList<>();
    for (Map.Entry<Representation, List<DashSegment>> e : listed.entrySet()) {
      RepresentationIngest ingest = representation(epoch, e.getKey());
      if (ingest == null) {
        continue;
      }
      ids.add(ingest.id);
      ingest.source = e.getKey();
      ingest.offer(e.getValue());
      pump(epoch, ingest);
    }
    renditions = List.copyOf(ids);
    publish();
    updateCatalog();
  }

  private Optional<String> restartReason(
      Epoch epoch, Mpd mpd, Map<Representation, List<DashSegment>> listed) {
    Period period = mpd.lastPeriod();
    if (mpd.isDynamic() && !epoch.sourceAvailabilityStart.equals(mpd.availabilityStartTime())) {
      return Optional.of(
          "availabilityStartTime changed from "
              + epoch.sourceAvailabilityStart.map(Instant::toString).orElse("none")
              + " to "
              + mpd.availabilityStartTime().map(Instant::toString).orElse("none"));
    }
    if (!epoch.sourcePeriodId.equals(period.id())) {
      return Optional.of(
          "live Period changed from '"
              + epoch.sourcePeriodId.orElse("")
              + "' to '"
              + period.id().orElse("")
              + "'");
    }
    for (Map.Entry<Representation, List<DashSegment>> e : listed.entrySet()) {
      RepresentationIngest known = epoch.representations.get(e.getKey().id());
      if (known != null && known.wentBackwards(e.getValue())) {
        DashSegment newest = e.getValue().get(e.getValue().size() - 1);
        return Optional.of(
            "representation "
                + known.id
                + " went back from "
                + known.describeNewest()
                + " to time "
                + newest.time()
                + ", number "
                + newest.number());
      }
    }
    return Optional.empty();
  }

  private Epoch beginEpoch(Mpd mpd, Period period) {
    Epoch previous = current();
    Duration previousEnd = Duration.ZERO;
    if (previous != null) {
      previous.close();
      sealAndWrite(previous);
      previousEnd = previous.publishedEnd();
    }
    Duration start = period.start();
    if (mpd.availabilityStartTime().isPresent()) {
      Instant sourceStart = mpd.availabilityStartTime().get();
      if (anchor == null) {
        anchor = sourceStart.minus(previousEnd);
      }
      start = Duration.between(anchor, sourceStart).plus(period.start());
    }
    // A restarted origin whose transcoder kept running: the new epoch takes only segments after
    // the restored ones, and keeps their media times in place although its Period starts later.
    boolean continues =
        previous != null
            && previous.restored
            && previous.sourcePeriodId.equals(period.id())
            && (!mpd.isDynamic()
                || previous.sourceAvailabilityStart.equals(mpd.availabilityStartTime()));
    Duration shift = Duration.ZERO;
    if (start.compareTo(previousEnd) < 0) {
      if (continues) {
        shift = previousEnd.minus(start);
      }
      start = previousEnd;
    }
    Epoch epoch =
        new Epoch(
            nextEpochTag(),
            mpd.isDynamic() ? mpd.availabilityStartTime() : Optional.empty(),
            period.id(),
            start,
            mpd,
            period.index());
    if (continues) {
      epoch.continues = previous;
      epoch.shift = shift;
    }
    epochs.add(epoch);
    if (archive.enabled()) {
      history.add(epoch);
    }
    while (epochs.size() > EPOCHS_PUBLISHED) {
      epochs.remove(0);
    }
    epochTag = epoch.tag;
    dirty = true;
    return epoch;
  }

  private String nextEpochTag() {
    if (restoredTagUnused) {
      restoredTagUnused = false;
      return epochTags.current();
    }
    if (epochTags == null) {
      epochTags = new EpochTag(clock);
      return epochTags.current();
    }
    return epochTags.advance();
  }

  private RepresentationIngest representation(Epoch epoch, Representation representation) {
    RepresentationIngest known = epoch.representations.get(representation.id());
    if (known != null || epoch.refused.contains(representation.id())) {
      return known;
    }
    try {
      RepresentationIngest created =
          new RepresentationIngest(
              representation,
              mpdUrl,
              epoch.tag,
              config.playlistWindow(),
              epoch.shift,
              // The epoch's tag is unique for the stream's life; the count keeps its logs apart.
              new StateLog<>(stateChunkSize, epoch.tag + "-" + epoch.representations.size()));
      if (epoch.continues != null) {
        RepresentationIngest earlier = epoch.continues.representations.get(created.id);
        if (earlier != null) {
          created.continueAfter(earlier);
        }
      }
      epoch.representations.put(created.id, created);
      return created;
    } catch (IllegalArgumentException e) {
      epoch.refused.add(representation.id());
      lastError = "representation " + representation.id() + " refused: " + e.getMessage();
      log.warn(
          "stream {}: representation {} of {} is not republished: {}",
          name,
          representation.id(),
          mpdUrl,
          e.getMessage());
      return null;
    }
  }

  private Epoch current() {
    return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
  }

  /** Starts the next fetch of a representation unless one is running. */
  private void pump(Epoch epoch, RepresentationIngest ingest) {
    if (stopped || epoch.closed || ingest.busy) {
      return;
    }
    if (!ingest.initStored) {
      if (clock.instant().isBefore(ingest.initRetryNotBefore)) {
        return;
      }
      URI url = ingest.source.initializationUrl().orElseThrow();
      ingest.busy = true;
      fetchWithRetries(
          url,
          0,
          ar -> {
            ingest.busy = false;
            if (epoch.closed || stopped) {
              return;
            }
            if (ar.succeeded()) {
              String path = ingest.initPath.orElseThrow();
              store.put(
                  new StoredObject(
                      name,
                      ingest.id,
                      path,
                      ObjectKind.INIT,
                      ar.result(),
                      Etags.of(ar.result()),
                      clock.instant()));
              archive.writeSegment(name, path, ar.result());
              ingest.initStored = true;
              dirty = true;
            } else {
              ingest.initRetryNotBefore = clock.instant().plus(INIT_RETRY_PAUSE);
              problem(
                  "init segment "
                      + url
                      + " of representation "
                      + ingest.id
                      + " failed: "
                      + ar.cause().getMessage());
            }
            pump(epoch, ingest);
          });
      return;
    }
    DashSegment next = ingest.pending.pollFirst();
    if (next == null) {
      publish();
      return;
    }
    ingest.busy = true;
    fetchWithRetries(
        next.url(),
        0,
        ar -> {
          ingest.busy = false;
          if (epoch.closed || stopped) {
            return;
          }
          if (ar.succeeded()) {
            storeSegment(ingest, next, ar.result());
          } else {
            metrics.segmentSkipped();
            problem(
                "segment "
                    + next.url()
                    + " of representation "
                    + ingest.id
                    + " skipped after "
                    + retry.attempts()
                    + " attempts: "
                    + ar.cause().getMessage());
          }
          pump(epoch, ingest);
        });
  }

  private void storeSegment(RepresentationIngest ingest, DashSegment segment, Buffer body) {
    String path = ingest.originPath(segment);
    Instant now = clock.instant();
    store.put(
        new StoredObject(name, ingest.id, path, ObjectKind.SEGMENT, body, Etags.of(body), now));
    archive.writeSegment(name, path, body);
    StoredSegment stored =
        new StoredSegment(segment.number(), segment.time(), segment.duration(), path, now);
    ingest.stored(stored);
    if (archive.enabled()) {
      ingest.all.add(stored);
      writeSealedChunks(ingest);
    }
    archiveState();
    segmentsPublished++;
    metrics.segmentPublished();
    newestSegmentAt = now;
    dirty = true;
    publish();
    events.announce(
        new SegmentAvailable(
            name,
            ingest.id,
            path,
            segment.number(),
            segment.durationSeconds(),
            body.length(),
            now));
  }

  private void fetchWithRetries(URI url, int attempt, Handler<AsyncResult<Buffer>> done) {
    onLoop(
        source.fetch(url, Optional.empty()),
        ar -> {
          if (ar.failed()) {
            metrics.segmentError();
          }
          if (ar.succeeded() || attempt + 1 >= retry.attempts() || stopped) {
            done.handle(ar);
            return;
          }
          long delay = retry.firstDelay().toMillis() << attempt;
          vertx.setTimer(Math.max(1, delay), id -> fetchWithRetries(url, attempt + 1, done));
        });
  }

  private void problem(String message) {
    lastError = message;
    log.warn("stream {}: {}", name, message);
  }

  // ---- publishing -------------------------------------------------------------------------

  /**
   * Renders the MPD if anything changed. A static (ended) source is published only once all of its
   * segments are fetched, since players do not reload a static MPD.
   */
  private void publish() {
    Epoch current = current();
    if (!dirty || latest == null || current == null) {
      return;
    }
    boolean ended = sourceEnded && current.idle();
    if (sourceEnded && !ended) {
      return;
    }
    if (ended && archive.enabled() && publishReplay()) {
      return;
    }
    if (!ended && dvr()) {
      publishDvr(current);
      return;
    }
    Map<String, Integer> room = new HashMap<>();
    List<MpdRenderer.PeriodPlan> periods = new ArrayList<>();
    List<Epoch> contributing = new ArrayList<>();
    for (int i = epochs.size() - 1; i >= 0; i--) {
      Epoch epoch = epochs.get(i);
      List<MpdRenderer.RepresentationPlan> representations = new ArrayList<>();
      for (RepresentationIngest ingest : epoch.representations.values()) {
        int left = room.getOrDefault(ingest.id, config.playlistWindow());
        if (left == 0 || !ingest.initAvailable(store, name)) {
          continue;
        }
        List<StoredSegment> segments = ingest.publishable(store, name, left);
        if (segments.isEmpty()) {
          continue;
        }
        room.put(ingest.id, left - segments.size());
        representations.add(plan(ingest, segments));
      }
      if (!representations.isEmpty()) {
        contributing.add(epoch);
        periods.add(0, plan(epoch, representations));
      }
    }
    epochs.removeIf(e -> e != current && !contributing.contains(e));
    if (periods.isEmpty()) {
      return;
    }
    render(periods, ended, Optional.empty());
  }

  private boolean dvr() {
    return archive.enabled() && !archive.dvrWindow().isZero();
  }

  /**
   * The live MPD with a DVR window: per representation, walking back from the newest segment across
   * every epoch since the start, the segments in memory or confirmed by the archive, at least the
   * memory window and more until {@link Archive#dvrWindow()} is covered; {@code
   * timeShiftBufferDepth} reaches the oldest one listed. A segment neither in memory nor yet in S3
   * ends the run (consistent publishing); the MPD grows again when S3 confirms it.
   */
  private void publishDvr(Epoch current) {
    Predicate<String> available = p -> store.contains(name, p) || archive.holds(name, p);
    double dvrSeconds = archive.dvrWindow().toMillis() / 1000.0;
    Map<String, RepresentationIngest.Budget> budgets = new HashMap<>();
    List<MpdRenderer.PeriodPlan> periods = new ArrayList<>();
    Duration oldest = null;
    Duration newest = null;
    boolean shortened = false;
    for (int i = history.size() - 1; i >= 0; i--) {
      Epoch epoch = history.get(i);
      List<MpdRenderer.RepresentationPlan> representations = new ArrayList<>();
      for (RepresentationIngest ingest : epoch.representations.values()) {
        RepresentationIngest.Budget budget =
            budgets.computeIfAbsent(
                ingest.id,
                id -> new RepresentationIngest.Budget(config.playlistWindow(), dvrSeconds));
        if (!budget.wantsMore()) {
          continue;
        }
        if (ingest.initPath.map(p -> !available.test(p)).orElse(false)) {
          budget.stopped = !ingest.all.isEmpty();
          shortened |= budget.stopped;
          continue;
        }
        List<StoredSegment> segments = ingest.dvrRun(available, budget);
        shortened |= budget.stopped;
        if (segments.isEmpty()) {
          continue;
        }
        StoredSegment first = segments.get(0);
        Duration start =
            epoch.publishedStart.plus(
                Duration.ofNanos(
                    Math.round(
                        (first.time() - ingest.presentationTimeOffset) * 1e9 / ingest.timescale)));
        oldest = oldest == null || start.compareTo(oldest) < 0 ? start : oldest;
        MpdRenderer.RepresentationPlan plan = plan(ingest, segments);
        Duration end = epoch.publishedStart.plus(plan.end());
        newest = newest == null || end.compareTo(newest) > 0 ? end : newest;
        representations.add(plan);
      }
      if (!representations.isEmpty()) {
        periods.add(0, plan(epoch, representations));
      }
      if (!budgets.isEmpty() && budgets.values().stream().noneMatch(b -> b.wantsMore())) {
        break;
      }
    }
    dvrShort = shortened;
    if (periods.isEmpty()) {
      return;
    }
    // Deep enough for the oldest segment listed, by the wall clock and by the media listed.
    Duration reach = newest.minus(oldest);
    if (anchor != null) {
      Duration byClock = Duration.between(anchor.plus(oldest), clock.instant());
      reach = byClock.compareTo(reach) > 0 ? byClock : reach;
    }
    Duration depth = Duration.ofSeconds(reach.getSeconds() + 1);
    Duration source = latest.timeShiftBufferDepth().orElse(Duration.ZERO);
    render(periods, false, Optional.of(depth.compareTo(source) > 0 ? depth : source));
  }

  private static MpdRenderer.RepresentationPlan plan(
      RepresentationIngest ingest, List<StoredSegment> segments) {
    return new MpdRenderer.RepresentationPlan(
        ingest.id,
        ingest.mediaName,
        ingest.initPath,
        ingest.timescale,
        ingest.presentationTimeOffset,
        ingest.numbered,
        segments);
  }

  private static MpdRenderer.PeriodPlan plan(
      Epoch epoch, List<MpdRenderer.RepresentationPlan> representations) {
    return new MpdRenderer.PeriodPlan(
        epoch.tag, epoch.publishedStart, epoch.source, epoch.sourcePeriodIndex, representations);
  }

  private void render(
      List<MpdRenderer.PeriodPlan> periods,
      boolean ended,
      Optional<Duration> timeShiftBufferDepth) {
    Instant now = clock.instant();
    byte[] body =
        MpdRenderer.render(
            latest, Optional.ofNullable(anchor), periods, now, ended, timeShiftBufferDepth);
    published =
        new LiveDocument(
            Buffer.buffer(body), CONTENT_TYPE, Etags.of(Buffer.buffer(body)), now, maxAge(latest));
    publishedEnded = ended;
    dirty = false;
    updateCatalog();
  }

  /** An archive write landed: the replay may now be complete. */
  private void onArchived() {
    if (stopped) {
      return;
    }
    if ((sourceEnded && !replayPublished) || (!sourceEnded && dvrShort)) {
      dirty = true;
      publish();
    }
  }

  /**
   * Publishes the static MPD of every segment since the start once the archive holds all of them
   * (and their init segments); false while it does not, so the caller publishes the memory window.
   */
  private boolean publishReplay() {
    if (replayPublished) {
      dirty = false;
      return true;
    }
    List<MpdRenderer.PeriodPlan> periods = new ArrayList<>();
    int segments = 0;
    for (Epoch epoch : history) {
      List<MpdRenderer.RepresentationPlan> representations = new ArrayList<>();
      for (RepresentationIngest ingest : epoch.representations.values()) {
        List<StoredSegment> run = ingest.replayable();
        if (run.isEmpty()) {
          continue;
        }
        if (ingest.initPath.map(p -> !archive.holds(name, p)).orElse(false)
            || run.stream().anyMatch(s -> !archive.holds(name, s.path()))) {
          return false;
        }
        segments += run.size();
        representations.add(plan(ingest, run));
      }
      if (!representations.isEmpty()) {
        periods.add(plan(epoch, representations));
      }
    }
    if (periods.isEmpty()) {
      return false;
    }
    Instant now = clock.instant();
    byte[] body =
        MpdRenderer.render(
            latest, Optional.ofNullable(anchor), periods, now, true, Optional.empty());
    Buffer buffer = Buffer.buffer(body);
    published = new LiveDocument(buffer, CONTENT_TYPE, Etags.of(buffer), now, maxAge(latest));
    publishedEnded = true;
    replayPublished = true;
    dirty = false;
    archive.writeDocument(name, entry, new String(body, StandardCharsets.UTF_8));
    archiveState();
    log.info(
        "stream {}: ended; {} segment(s) in {} period(s) archived, replay at /live/{}/{}",
        name,
        segments,
        periods.size(),
        name,
        entry);
    updateCatalog();
    return true;
  }

  /** Half the update period or segment duration, whichever is shorter, at least one second. */
  private static int maxAge(Mpd mpd) {
    Duration base =
        Stream.of(mpd.minimumUpdatePeriod(), segmentDuration(mpd))
            .flatMap(Optional::stream)
            .min(Duration::compareTo)
            .orElse(DEFAULT_POLL);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, base.toMillis() / 2000));
  }

  private void updateCatalog() {
    StreamRecord record =
        new StreamRecord(name, name, "dash", renditions, state(clock.instant()), startedAt);
    if (!record.equals(lastRecord)) {
      catalog.put(record);
      lastRecord = record;
    }
  }

  private <T> void onLoop(Future<T> future, Handler<AsyncResult<T>> handler) {
    future.onComplete(
        ar -> {
          if (Vertx.currentContext() == context) {
            handler.handle(ar);
          } else {
            context.runOnContext(v -> handler.handle(ar));
          }
        });
  }
}
