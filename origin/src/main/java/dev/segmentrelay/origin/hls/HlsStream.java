package dev.segmentrelay.origin.hls;

import dev.segmentrelay.common.http.Etags;
import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.media.ObjectKind;
import dev.segmentrelay.common.media.hls.ByteRange;
import dev.segmentrelay.common.media.hls.HlsParser;
import dev.segmentrelay.common.media.hls.HlsPlaylist;
import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.InitSection;
import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import dev.segmentrelay.common.media.hls.PlaylistParseException;
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
import dev.segmentrelay.origin.ingest.IngestSource.IngestException;
import dev.segmentrelay.origin.ingest.StagedUploads;
import dev.segmentrelay.origin.store.SegmentStore;
import dev.segmentrelay.origin.store.StoredObject;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HLS stream: ingest from a transcoder (pulled over HTTP or pushed by PUT) and republishing
 * under origin names.
 *
 * <p><b>Concurrency.</b> All ingest state lives on one Vert.x context and is touched only there;
 * uploads arriving on other event loops hop onto it. Readers (the HTTP layer) see immutable {@link
 * LiveDocument}s through a concurrent map and never wait for ingest.
 *
 * <p><b>Consistent publishing.</b> Each rendition fetches its new segments one at a time, in order,
 * and appends a segment to its published window only after the bytes are in the {@link
 * SegmentStore}; the playlist is re-rendered from that window, skipping any head segment the store
 * no longer holds. A published playlist therefore never names a missing segment. A master playlist
 * names only renditions that have published.
 *
 * <p><b>Names are never reused.</b> A segment is published as {@code
 * {dir}{epoch}-{sequence}-{source file name}}: the origin's own media sequence, which only rises,
 * and the ingest epoch, which changes when the transcoder restarts (its sequence goes backwards or
 * a known sequence number names another URI) and differs between origin runs. The restart is marked
 * with {@code EXT-X-DISCONTINUITY}.
 *
 * <p><b>Archive (DVR, replay, restart).</b> With an {@link Archive} enabled, every segment and init
 * segment is also queued for S3, each rendition remembers every segment it published ({@code all}),
 * and its playlist is rendered by {@link HlsWindow}: live, it reaches back over the DVR window,
 * naming segments held in memory or already in S3 (the HTTP layer serves the latter from S3); once
 * the source ended ({@code EXT-X-ENDLIST}), the same path {@code /live/{stream}/{playlist}} serves
 * the whole stream as VOD ({@code EXT-X-PLAYLIST-TYPE:VOD}), so edges replay it through their usual
 * {@code /live/} path. After each segment the stream's state ({@link HlsArchiveState}) is queued
 * too: {@code all} is a {@link StateLog}, so the head written per segment carries only each
 * rendition's unsealed tail and names the sealed chunks, each queued once as it seals (the snapshot
 * shares them; no list is copied). A restarted origin reads head and chunks back in {@link
 * #start()}, serves the restored window at once, continues the media sequence in a later epoch and
 * marks the join with {@code EXT-X-DISCONTINUITY}; after a chunk that could not be read, playlists
 * start past the gap it leaves.
 *
 * <p><b>Failure.</b> A playlist that does not parse is logged with the line and reason and ignored:
 * the last good version stays served. A segment that keeps failing (404, reset mid-body, timeout)
 * is retried with back-off, then skipped with a discontinuity so the stream never blocks. Polling
 * backs off while the transcoder is away and resumes by itself.
 */
public final class HlsStream implements PublishedStream {
  private static final Logger log = LoggerFactory.getLogger(HlsStream.class);
  private static final int SEGMENT_ATTEMPTS = 4;
  private static final long RETRY_BASE_MILLIS = 200;
  private static final long MAX_BACKOFF_MILLIS = 4_000;

  private final String name;
  private final Optional<URI> pullUrl;
  private final Optional<StagedUploads> staged;
  private final IngestSource source;
  private final SegmentStore store;
  private final SegmentEvents events;
  private final StreamCatalog catalog;
  private final OriginConfig config;
  private final Vertx vertx;
  private final Context context;
  private final Clock clock;
  private final EpochTag epochs;
  private final Instant startedAt;
  private final Archive archive;

  private final Map<String, LiveDocument> documents = new ConcurrentHashMap<>();
  private final Map<String, Rendition> renditions = new LinkedHashMap<>();
  private final Map<String, Boolean> endedRenditions = new ConcurrentHashMap<>();
  private final AtomicLong segmentsPublished = new AtomicLong();
  private final IngestMetrics metrics;

  private volatile String entryPath;
  private volatile List<String> renditionPaths = List.of();
  private volatile Optional<Instant> newestSegmentAt = Optional.empty();
  private volatile Optional<String> lastError = Optional.empty();
  private volatile String lastCatalogState = "";
  private Optional<MasterPlaylist> master = Optional.empty();
  private Optional<URI> masterUrl = Optional.empty();
  private int entryFailures;
  private long statusTimer = -1;
  private boolean stopped;
  private int renditionsCreated;
  private int stateChunkSize = StateLog.DEFAULT_CHUNK_SIZE;

  private HlsStream(
      String name,
      Optional<URI> pullUrl,
      Optional<StagedUploads> staged,
      IngestSource source,
      SegmentStore store,
      SegmentEvents events,
      StreamCatalog catalog,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      Archive archive) {
    this.name = name;
    this.archive = archive;
    this.pullUrl = pullUrl;
    this.staged = staged;
    this.source = source;
    this.store = store;
    this.events = events;
    this.catalog = catalog;
    this.config = config;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.clock = clock;
    this.epochs = new EpochTag(clock);
    this.startedAt = clock.instant();
    this.entryPath = pullUrl.map(RenditionPaths::safeFileName).orElse("index.m3u8");
    this.metrics = new IngestMetrics(meters, name);
    archive.onHeld(name, path -> context.runOnContext(v -> onArchived()));
  }

  /**
   * A stream pulled from the HLS playlist at {@code url} (master or media), written through to
   * {@code archive} ({@link Archive#disabled()} for none).
   */
  public static HlsStream pulled(
      String name,
      URI url,
      IngestSource source,
      SegmentStore store,
      SegmentEvents events,
      StreamCatalog catalog,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      Archive archive) {
    return new HlsStream(
        name,
        Optional.of(url),
        Optional.empty(),
        source,
        store,
        events,
        catalog,
        config,
        vertx,
        clock,
        meters,
        archive);
  }

  /**
   * A stream a transcoder pushes to {@code /ingest/{name}/…}, written through to {@code archive}
   * ({@link Archive#disabled()} for none).
   */
  public static HlsStream pushed(
      String name,
      SegmentStore store,
      SegmentEvents events,
      StreamCatalog catalog,
      OriginConfig config,
      Vertx vertx,
      Clock clock,
      MeterRegistry meters,
      Archive archive) {
    StagedUploads uploads =
        new StagedUploads(config.storeMaxSegments() * 8, config.storeMaxBytes());
    return new HlsStream(
        name,
        Optional.empty(),
        Optional.of(uploads),
        uploads,
        store,
        events,
        catalog,
        config,
        vertx,
        clock,
        meters,
        archive);
  }

  /** Entries per sealed state chunk (tests use small ones); set before {@link #start()}. */
  HlsStream stateChunkSize(int entries) {
    this.stateChunkSize = entries;
    return this;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<LiveDocument> document(String path) {
    return Optional.ofNullable(documents.get(path));
  }

  @Override
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    context.runOnContext(
        v -> {
          if (!archive.enabled()) {
            begin(started);
            return;
          }
          ArchivedState.restore(
              archive,
              name,
              context,
              HlsArchiveState::decodeHead,
              this::restore,
              () -> begin(started));
        });
    return started.future();
  }

  private void begin(Promise<Void> started) {
    statusTimer = vertx.setPeriodic(1_000, id -> updateCatalog());
    updateCatalog();
    pullUrl.ifPresent(this::fetchEntry);
    started.complete();
  }

  /** Takes over the state a previous origin run left in the archive (on the context). */
  private void restore(HlsArchiveState state) {
    String epoch = epochs.advancePast(state.epoch());
    entryPath = state.entry();
    int segments = 0;
    for (HlsArchiveState.RenditionState rs : state.renditions()) {
      if (rs.segments().isEmpty()) {
        continue;
      }
      Rendition r = rendition(rs.path(), URI.create(rs.sourceUrl()));
      r.epoch = epoch;
      r.nextSeq = rs.nextSeq();
      // The transcoder may have kept going while no origin ran: continue after what was taken
      // (a transcoder restart is still detected: its sequence goes back).
      r.lastSourceSeq = rs.lastSourceSeq();
      r.lastSourceUri = rs.lastSourceUri();
      r.targetDuration = rs.targetDuration();
      r.version = Math.max(r.version, rs.version());
      r.sourceEnded = rs.ended();
      r.nextIsDiscontinuity = true;
      r.all = StateLog.restored(stateChunkSize, r.chunkPrefix, rs.log());
      r.listedFrom = afterNewestGap(r.all);
      if (r.listedFrom > 0) {
        log.warn(
            "stream {}: {} lost part of its archived segment list; the {} readable segment(s)"
                + " before the gap are not listed, so that media sequence numbers stay true",
            name,
            r.path,
            r.listedFrom);
      }
      writeSealedChunks(r);
      List<String> held = new ArrayList<>();
      for (PublishedSegment s : rs.segments()) {
        held.add(s.path());
        s.initPath().ifPresent(held::add);
      }
      archive.assumeHeld(name, held);
      segments += rs.segments().size();
    }
    state.master().ifPresent(m -> documents.put(entryPath, document(m, 60)));
    for (Rendition r : renditions.values()) {
      publish(r);
    }
    log.info(
        "stream {}: restored {} rendition(s), {} segment(s) from the archive; continuing in epoch"
            + " {}",
        name,
        state.renditions().size(),
        segments,
        epoch);
  }

  /**
   * Index of the first segment after the newest gap in sequence numbers (a state chunk lost at
   * restore), 0 without one. HLS numbers segments by their place in the playlist, so a playlist
   * cannot list across a gap.
   */
  private static int afterNewestGap(List<PublishedSegment> all) {
    for (int i = all.size() - 1; i > 0; i--) {
      if (all.get(i).sequence() != all.get(i - 1).sequence() + 1) {
        return i;
      }
    }
    return 0;
  }

  /** The segments a playlist of {@code r} may list (all of them, or those after a lost chunk). */
  private static List<PublishedSegment> listed(Rendition r) {
    return r.listedFrom == 0 ? r.all : r.all.subList(r.listedFrom, r.all.size());
  }

  /** A segment reached S3: a window that was cut short for lack of it may grow now. */
  private void onArchived() {
    for (Rendition r : renditions.values()) {
      if (r.windowShort || (r.sourceEnded && !r.vodArchived)) {
        publish(r);
      }
    }
  }

  /** Queues the stream's state object (a snapshot; encoded on the archive's thread). */
  private void archiveState() {
    if (!archive.enabled()) {
      return;
    }
    List<HlsArchiveState.RenditionState> rs = new ArrayList<>();
    for (Rendition r : renditions.values()) {
      rs.add(
          new HlsArchiveState.RenditionState(
              r.path,
              r.sourceUrl.toString(),
              r.nextSeq,
              r.lastSourceSeq,
              r.lastSourceUri,
              r.targetDuration,
              r.version,
              r.sourceEnded && r.queue.isEmpty() && !r.fetching,
              r.all.snapshot()));
    }
    LiveDocument m = master.isPresent() ? documents.get(entryPath) : null;
    HlsArchiveState state =
        new HlsArchiveState(
            entryPath,
            Optional.ofNullable(m).map(d -> d.body().toString(StandardCharsets.UTF_8)),
            epochs.current(),
            rs);
    archive.writeState(name, state::encode);
  }

  /** Queues the chunks of {@code r}'s segment list sealed since the last call (before the head). */
  private void writeSealedChunks(Rendition r) {
    for (StateLog.Chunk<PublishedSegment> chunk : r.all.takeSealed()) {
      archive.writeStateChunk(
          name, chunk.name(), () -> HlsArchiveState.SEGMENTS.encodeChunk(chunk));
    }
  }

  @Override
  public Future<Void> stop() {
    Promise<Void> stoppedPromise = Promise.promise();
    context.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(statusTimer);
          renditions.values().forEach(r -> vertx.cancelTimer(r.pollTimer));
          stoppedPromise.complete();
        });
    return stoppedPromise.future();
  }

  // ---- pull -------------------------------------------------------------------------------

  private void fetchEntry(URI url) {
    if (stopped) {
      return;
    }
    source
        .fetch(url, Optional.empty())
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              HlsPlaylist playlist;
              try {
                if (ar.failed()) {
                  throw ar.cause();
                }
                playlist = HlsParser.parse(ar.result().toString(StandardCharsets.UTF_8));
              } catch (Throwable e) {
                entryFailures++;
                long delay = backoff(entryFailures, 8_000);
                problem(
                    entryFailures == 1 || entryFailures % 10 == 0,
                    "cannot read playlist "
                        + url
                        + ": "
                        + describe(e)
                        + " (retrying in "
                        + delay
                        + " ms)");
                metrics.playlistError();
                vertx.setTimer(delay, t -> fetchEntry(url));
                return;
              }
              if (entryFailures > 0) {
                log.info("stream {}: playlist {} is back", name, url);
                lastError = Optional.empty();
              }
              entryFailures = 0;
              if (playlist instanceof MasterPlaylist m) {
                adoptMaster(m, url, entryPath);
                for (Rendition r : renditions.values()) {
                  poll(r);
                }
              } else {
                Rendition r = rendition(entryPath, url);
                boolean changed = ingestPlaylist(r, (MediaPlaylist) playlist);
                schedulePoll(r, changed);
              }
            });
  }

  private void poll(Rendition r) {
    if (stopped) {
      return;
    }
    source
        .fetch(r.sourceUrl, Optional.empty())
        .onComplete(
            ar -> {
              if (stopped) {
                return;
              }
              try {
                if (ar.failed()) {
                  throw ar.cause();
                }
                MediaPlaylist p =
                    HlsParser.parseMedia(ar.result().toString(StandardCharsets.UTF_8));
                if (r.pollFailures > 0) {
                  log.info(
                      "stream {}: playlist {} is back after {} failed polls",
                      name,
                      r.sourceUrl,
                      r.pollFailures);
                  lastError = Optional.empty();
                }
                r.pollFailures = 0;
                schedulePoll(r, ingestPlaylist(r, p));
              } catch (Throwable e) {
                r.pollFailures++;
                metrics.playlistError();
                long delay = backoff(r.pollFailures, Math.max(2_000, r.targetDuration * 1_000));
                problem(
                    r.pollFailures == 1 || r.pollFailures % 20 == 0,
                    "cannot use playlist "
                        + r.sourceUrl
                        + ": "
                        + describe(e)
                        + "; the last good version stays served (failure "
                        + r.pollFailures
                        + ", retrying in "
                        + delay
                        + " ms)");
                r.pollTimer = vertx.setTimer(delay, t -> poll(r));
              }
            });
  }

  /** RFC 8216 6.3.4: reload after a target duration when it changed, half of it otherwise. */
  private void schedulePoll(Rendition r, boolean changed) {
    // An ended source is still polled: a transcoder that stopped may start again.
    if (stopped || pullUrl.isEmpty()) {
      return;
    }
    long target = Math.max(1, r.targetDuration) * 1_000;
    long delay =
        config.pollInterval().map(Duration::toMillis).orElse(changed ? target : target / 2);
    r.pollTimer = vertx.setTimer(Math.max(50, delay), t -> poll(r));
  }

  // ---- push -------------------------------------------------------------------------------

  @Override
  public Future<Void> acceptUpload(String path, Buffer body) {
    if (staged.isEmpty()) {
      return PublishedStream.super.acceptUpload(path, body);
    }
    Promise<Void> accepted = Promise.promise();
    context.runOnContext(
        v -> {
          if (!path.endsWith(".m3u8")) {
            staged.get().put(path, body);
            accepted.complete();
            return;
          }
          HlsPlaylist playlist;
          try {
            playlist = HlsParser.parse(body.toString(StandardCharsets.UTF_8));
          } catch (PlaylistParseException e) {
            metrics.playlistError();
            problem(true, "pushed playlist " + path + " rejected: " + e.getMessage());
            accepted.fail(
                new IllegalArgumentException(
                    "playlist '" + path + "' does not parse: " + e.getMessage()));
            return;
          }
          URI url = StagedUploads.BASE.resolve(path);
          if (playlist instanceof MasterPlaylist m) {
            adoptMaster(m, url, path);
            publishMaster();
          } else {
            if (master.isEmpty() && renditions.isEmpty()) {
              entryPath = path;
            }
            ingestPlaylist(rendition(path, url), (MediaPlaylist) playlist);
          }
          accepted.complete();
        });
    return accepted.future();
  }

  @Override
  public void acceptDelete(String path) {
    staged.ifPresent(s -> context.runOnContext(v -> s.delete(path)));
  }

  // ---- ingest -----------------------------------------------------------------------------

  private void adoptMaster(MasterPlaylist m, URI url, String path) {
    master = Optional.of(m);
    masterUrl = Optional.of(url);
    entryPath = path;
    int index = 0;
    for (String uri : m.playlistUris()) {
      URI source = url.resolve(uri);
      String fallback = "r" + index + "/" + RenditionPaths.safeFileName(source);
      String published =
          RenditionPaths.directoryOf(path) + RenditionPaths.relativeOrElse(url, source, fallback);
      rendition(published, source);
      index++;
    }
  }

  private Rendition rendition(String path, URI sourceUrl) {
    Rendition r = renditions.get(path);
    if (r == null) {
      // The epoch in force and a count of renditions created: unique for the stream's life, as a
      // restarted origin continues in a later epoch.
      r =
          new Rendition(
              path,
              sourceUrl,
              epochs.current(),
              epochs.current() + "-" + renditionsCreated++,
              stateChunkSize);
      renditions.put(path, r);
      renditionPaths = List.copyOf(renditions.keySet());
    }
    return r;
  }

  /**
   * Takes the segments of a fresh source playlist that are new to this rendition into its fetch
   * queue. Returns true when the playlist had anything new.
   */
  private boolean ingestPlaylist(Rendition r, MediaPlaylist p) {
    List<HlsSegment> segs = p.segments();
    r.targetDuration = Math.max(r.targetDuration, p.targetDuration());
    r.version = Math.max(r.version, p.version());
    if (r.lastSourceSeq >= 0 && isRestart(r, p)) {
      String epoch = r.epoch.equals(epochs.current()) ? epochs.advance() : epochs.current();
      log.info(
          "stream {}: transcoder restart detected on {} (sequence {} after {}); new epoch {}",
          name,
          r.path,
          p.mediaSequence(),
          r.lastSourceSeq,
          epoch);
      r.epoch = epoch;
      r.lastSourceSeq = -1;
      r.sourceEnded = false;
      r.nextIsDiscontinuity = true;
      r.initPaths.clear();
    }
    int start;
    boolean gap = false;
    if (r.lastSourceSeq < 0) {
      start = Math.max(0, segs.size() - config.playlistWindow());
    } else {
      long first = r.lastSourceSeq + 1;
      gap = first < p.mediaSequence();
      start = (int) Math.max(0, Math.min(segs.size(), first - p.mediaSequence()));
    }
    if (gap && !r.publishedWindow.isEmpty()) {
      log.warn(
          "stream {}: {} skipped from sequence {} to {}; publishing a discontinuity",
          name,
          r.path,
          r.lastSourceSeq,
          p.mediaSequence());
      r.nextIsDiscontinuity = true;
    }
    for (int i = start; i < segs.size(); i++) {
      HlsSegment s = segs.get(i);
      // The source's own discontinuities carry over, except one in front of the very first
      // segment this rendition takes (nothing precedes it in the published window).
      boolean discontinuity = s.discontinuity() && (r.lastSourceSeq >= 0 || i > start);
      r.queue.add(new Pending(s, r.sourceUrl.resolve(s.uri()), r.epoch, discontinuity));
    }
    boolean changed = start < segs.size() || (p.endList() && !r.sourceEnded);
    if (!segs.isEmpty()) {
      r.lastSourceSeq = p.lastSequence();
      r.lastSourceUri = segs.get(segs.size() - 1).uri();
    }
    r.lastSourceFirstSeq = p.mediaSequence();
    r.sourceEnded = p.endList();
    drain(r);
    if (r.sourceEnded && r.queue.isEmpty() && !r.fetching) {
      publish(r);
    }
    return changed;
  }

  private static boolean isRestart(Rendition r, MediaPlaylist p) {
    if (p.mediaSequence() < r.lastSourceFirstSeq || p.lastSequence() < r.lastSourceSeq) {
      return true;
    }
    long index = r.lastSourceSeq - p.mediaSequence();
    return index >= 0
        && index < p.segments().size()
        && !p.segments().get((int) index).uri().equals(r.lastSourceUri);
  }

  /** Fetches queued segments one after another, so the window only ever grows at its tail. */
  private void drain(Rendition r) {
    if (r.fetching || r.queue.isEmpty() || stopped) {
      return;
    }
    r.fetching = true;
    Pending next = r.queue.peek();
    boolean discontinuity = next.discontinuity || r.nextIsDiscontinuity;
    if (discontinuity) {
      r.initPaths.clear();
    }
    long sequence = r.nextSeq;
    ensureInit(r, next, sequence)
        .compose(
            init ->
                fetchWithRetry(next.uri, next.segment.byteRange(), 1)
                    .map(body -> new Fetched(init, body)))
        .onComplete(
            ar -> {
              r.fetching = false;
              r.queue.poll();
              if (ar.succeeded()) {
                accept(r, next, sequence, discontinuity, ar.result().init(), ar.result().body());
              } else {
                metrics.segmentSkipped();
                r.nextIsDiscontinuity = true;
                problem(
                    true,
                    "segment "
                        + next.uri
                        + " skipped after "
                        + SEGMENT_ATTEMPTS
                        + " attempts: "
                        + describe(ar.cause())
                        + "; the playlist continues with a discontinuity");
              }
              if (r.queue.isEmpty() && r.sourceEnded) {
                publish(r);
              }
              drain(r);
            });
  }

  private void accept(
      Rendition r,
      Pending p,
      long sequence,
      boolean discontinuity,
      Optional<String> init,
      Buffer body) {
    String path = segmentPath(r, p, sequence);
    Instant now = clock.instant();
    store.put(new StoredObject(name, r.path, path, ObjectKind.SEGMENT, body, Etags.of(body), now));
    archive.writeSegment(name, path, body);
    r.nextSeq = sequence + 1;
    r.nextIsDiscontinuity = false;
    PublishedSegment published =
        new PublishedSegment(
            sequence,
            path,
            p.segment.duration(),
            discontinuity,
            init,
            p.segment.programDateTime(),
            body.length());
    if (archive.enabled()) {
      r.all.add(published);
      writeSealedChunks(r);
    } else {
      r.publishedWindow.addLast(published);
    }
    publish(r);
    archiveState();
    newestSegmentAt = Optional.of(now);
    segmentsPublished.incrementAndGet();
    metrics.segmentPublished();
    events.announce(
        new SegmentAvailable(
            name, r.path, path, sequence, p.segment.duration(), body.length(), now));
  }

  private String segmentPath(Rendition r, Pending p, long sequence) {
    String file = RenditionPaths.safeFileName(p.uri);
    String sub = RenditionPaths.relativeOrElse(r.sourceUrl, p.uri, file);
    return r.dir + RenditionPaths.directoryOf(sub) + p.epoch + "-" + sequence + "-" + file;
  }

  private Future<Optional<String>> ensureInit(Rendition r, Pending p, long sequence) {
    Optional<InitSection> map = p.segment.map();
    if (map.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    InitSection init = map.get();
    URI uri = r.sourceUrl.resolve(init.uri());
    String key = p.epoch + " " + uri + " " + init.byteRange().map(ByteRange::attributeValue);
    String known = r.initPaths.get(key);
    if (known != null && store.contains(name, known)) {
      return Future.succeededFuture(Optional.of(known));
    }
    return fetchWithRetry(uri, init.byteRange(), 1)
        .map(
            body -> {
              String file = RenditionPaths.safeFileName(uri);
              String sub = RenditionPaths.relativeOrElse(r.sourceUrl, uri, file);
              String path =
                  r.dir + RenditionPaths.directoryOf(sub) + p.epoch + "-" + sequence + "-" + file;
              store.put(
                  new StoredObject(
                      name, r.path, path, ObjectKind.INIT, body, Etags.of(body), clock.instant()));
              archive.writeSegment(name, path, body);
              r.initPaths.put(key, path);
              return Optional.of(path);
            });
  }

  private Future<Buffer> fetchWithRetry(URI uri, Optional<ByteRange> range, int attempt) {
    Optional<long[]> r = range.map(b -> new long[] {b.offset(), b.length()});
    return source
        .fetch(uri, r)
        .recover(
            e -> {
              metrics.segmentError();
              if (attempt >= SEGMENT_ATTEMPTS || stopped) {
                return Future.failedFuture(e);
              }
              log.debug("stream {}: attempt {} of {} failed: {}", name, attempt, uri, describe(e));
              Promise<Buffer> retried = Promise.promise();
              vertx.setTimer(
                  RETRY_BASE_MILLIS << (attempt - 1),
                  t -> fetchWithRetry(uri, range, attempt + 1).onComplete(retried));
              return retried.future();
            });
  }

  // ---- publishing -------------------------------------------------------------------------

  private void publish(Rendition r) {
    if (archive.enabled()) {
      publishWithArchive(r);
      return;
    }
    ArrayDeque<PublishedSegment> window = r.publishedWindow;
    while (!window.isEmpty()
        && (window.size() > config.playlistWindow()
            || !store.contains(name, window.peekFirst().path())
            || window.peekFirst().initPath().map(i -> !store.contains(name, i)).orElse(false))) {
      PublishedSegment dropped = window.pollFirst();
      if (dropped.discontinuity()) {
        r.discontinuitySequence++;
      }
    }
    if (window.isEmpty()) {
      return;
    }
    List<HlsSegment> segments = new ArrayList<>(window.size());
    long maxDuration = 0;
    boolean fmp4 = false;
    boolean first = true;
    for (PublishedSegment s : window) {
      maxDuration = Math.max(maxDuration, Math.round(s.duration()));
      fmp4 |= s.initPath().isPresent();
      segments.add(
          new HlsSegment(
              s.path().substring(r.dir.length()),
              s.duration(),
              "",
              Optional.empty(),
              s.discontinuity() && !first,
              s.initPath().map(i -> new InitSection(i.substring(r.dir.length()), Optional.empty())),
              s.programDateTime()));
      first = false;
    }
    r.targetDuration = Math.max(r.targetDuration, Math.max(1, maxDuration));
    boolean ended = r.sourceEnded && r.queue.isEmpty() && !r.fetching;
    MediaPlaylist playlist =
        new MediaPlaylist(
            Math.max(r.version, fmp4 ? 6 : 3),
            r.targetDuration,
            window.peekFirst().sequence(),
            r.discontinuitySequence + (window.peekFirst().discontinuity() ? 1 : 0),
            ended,
            Optional.empty(),
            false,
            segments);
    if (ended) {
      endedRenditions.put(r.path, true);
    } else {
      endedRenditions.remove(r.path);
    }
    boolean firstPublish = !documents.containsKey(r.path);
    documents.put(r.path, document(playlist.render(), r.targetDuration));
    if (firstPublish) {
      log.info("stream {}: first playlist published at /live/{}/{}", name, name, r.path);
      publishMaster();
    }
  }

  /** The playlist of a rendition that remembers every segment: DVR window live, VOD once ended. */
  private void publishWithArchive(Rendition r) {
    List<PublishedSegment> all = listed(r);
    if (all.isEmpty()) {
      return;
    }
    boolean ended = r.sourceEnded && r.queue.isEmpty() && !r.fetching;
    int desired = HlsWindow.desiredStart(all, config.playlistWindow(), archive.dvrWindow(), ended);
    int start =
        HlsWindow.availableStart(
            all, desired, p -> store.contains(name, p) || archive.holds(name, p));
    r.windowShort = start > desired;
    if (start >= all.size()) {
      return;
    }
    MediaPlaylist playlist =
        HlsWindow.render(all, start, r.dir, r.targetDuration, r.version, ended);
    r.targetDuration = playlist.targetDuration();
    boolean wasEnded = endedRenditions.containsKey(r.path);
    if (ended) {
      endedRenditions.put(r.path, true);
    } else {
      endedRenditions.remove(r.path);
      r.vodArchived = false;
    }
    boolean firstPublish = !documents.containsKey(r.path);
    String text = playlist.render();
    documents.put(r.path, document(text, r.targetDuration));
    if (firstPublish) {
      log.info("stream {}: first playlist published at /live/{}/{}", name, name, r.path);
      publishMaster();
    }
    if (ended && !wasEnded) {
      archiveState();
    }
    if (ended && start == 0 && !r.vodArchived && allHeld(r)) {
      r.vodArchived = true;
      archive.writeDocument(name, r.path, text);
      LiveDocument m = master.isPresent() ? documents.get(entryPath) : null;
      if (m != null) {
        archive.writeDocument(name, entryPath, m.body().toString(StandardCharsets.UTF_8));
      }
      log.info(
          "stream {}: ended; {} segments of {} archived as VOD at /live/{}/{}",
          name,
          all.size(),
          r.path,
          name,
          r.path);
    }
  }

  private boolean allHeld(Rendition r) {
    for (PublishedSegment s : listed(r)) {
      if (!archive.holds(name, s.path())
          || s.initPath().map(i -> !archive.holds(name, i)).orElse(false)) {
        return false;
      }
    }
    return true;
  }

  private void publishMaster() {
    if (master.isEmpty()) {
      return;
    }
    URI base = masterUrl.orElseThrow();
    String masterDir = RenditionPaths.directoryOf(entryPath);
    Map<String, String> publishedByUri = new HashMap<>();
    for (Rendition r : renditions.values()) {
      if (documents.containsKey(r.path) && r.path.startsWith(masterDir)) {
        publishedByUri.put(r.sourceUrl.toString(), r.path.substring(masterDir.length()));
      }
    }
    if (publishedByUri.isEmpty()) {
      return;
    }
    String text =
        master
            .get()
            .render(
                uri -> publishedByUri.get(base.resolve(uri).toString()),
                uri -> publishedByUri.containsKey(base.resolve(uri).toString()));
    documents.put(entryPath, document(text, 60));
  }

  private LiveDocument document(String text, long targetDuration) {
    Buffer body = Buffer.buffer(text);
    return new LiveDocument(
        body,
        ObjectKind.contentType(".m3u8"),
        Etags.of(body),
        clock.instant(),
        (int) Math.max(1, targetDuration / 2));
  }

  // ---- status -----------------------------------------------------------------------------

  @Override
  public StreamStatus status() {
    Instant now = clock.instant();
    Optional<Duration> age = newestSegmentAt.map(t -> Duration.between(t, now));
    return new StreamStatus(
        name,
        "hls",
        pullUrl.isPresent() ? "pull" : "push",
        state(now),
        entryPath,
        renditionPaths,
        age,
        segmentsPublished.get(),
        epochs.current(),
        startedAt,
        lastError);
  }

  private String state(Instant now) {
    List<String> paths = renditionPaths;
    boolean ended = !paths.isEmpty() && endedRenditions.keySet().containsAll(paths);
    return StreamStates.of(newestSegmentAt, ended, now, config.stalledAfter());
  }

  private void updateCatalog() {
    StreamStatus s = status();
    String key = s.state() + " " + s.renditions();
    if (!key.equals(lastCatalogState)) {
      if (!lastCatalogState.isEmpty()) {
        log.info("stream {}: {}", name, s.state());
      }
      lastCatalogState = key;
      catalog.put(new StreamRecord(name, name, "hls", s.renditions(), s.state(), startedAt));
    }
  }

  private void problem(boolean logIt, String message) {
    lastError = Optional.of(message);
    if (logIt) {
      log.warn("stream {}: {}", name, message);
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof IngestException || e instanceof PlaylistParseException) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static long backoff(int failures, long cap) {
    return Math.min(cap, RETRY_BASE_MILLIS << Math.min(10, failures - 1));
  }

  /** A segment named by a source playlist, waiting to be fetched. */
  private record Pending(HlsSegment segment, URI uri, String epoch, boolean discontinuity) {}

  /** A fetched segment and the published path of its init segment. */
  private record Fetched(Optional<String> init, Buffer body) {}

  /** Ingest state of one rendition; touched on the stream's context only. */
  private static final class Rendition {
    final String path;
    final String dir;
    final URI sourceUrl;
    final ArrayDeque<Pending> queue = new ArrayDeque<>();
    final ArrayDeque<PublishedSegment> publishedWindow = new ArrayDeque<>();
    final Map<String, String> initPaths = new HashMap<>();

    /** Names this rendition's state chunks of this origin run. */
    final String chunkPrefix;

    /** Every segment published since the stream first started (archive on only). */
    StateLog<PublishedSegment> all;

    /** Where {@code listed(r)} begins: after a gap left by a state chunk lost at restore. */
    int listedFrom;

    String epoch;
    boolean windowShort;
    boolean vodArchived;
    long lastSourceSeq = -1;
    long lastSourceFirstSeq = -1;
    String lastSourceUri = "";
    long nextSeq;
    long discontinuitySequence;
    long targetDuration;
    int version = 3;
    boolean sourceEnded;
    boolean nextIsDiscontinuity;
    boolean fetching;
    int pollFailures;
    long pollTimer = -1;

    Rendition(String path, URI sourceUrl, String epoch, String chunkPrefix, int chunkSize) {
      MediaPath.validRelativePath(path);
      this.chunkPrefix = chunkPrefix;
      this.all = new StateLog<>(chunkSize, chunkPrefix);
      this.path = path;
      this.dir = RenditionPaths.directoryOf(path);
      this.sourceUrl = sourceUrl;
      this.epoch = epoch;
    }
  }
}
