package dev.segmentrelay.loadtest.player;

import dev.segmentrelay.common.media.dash.AdaptationSet;
import dev.segmentrelay.common.media.dash.DashSegment;
import dev.segmentrelay.common.media.dash.Mpd;
import dev.segmentrelay.common.media.dash.Period;
import dev.segmentrelay.common.media.dash.Representation;
import dev.segmentrelay.common.media.hls.AttributeList;
import dev.segmentrelay.common.media.hls.HlsPlaylist;
import dev.segmentrelay.common.media.hls.HlsSegment;
import dev.segmentrelay.common.media.hls.MasterPlaylist;
import dev.segmentrelay.common.media.hls.MediaPlaylist;
import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import dev.segmentrelay.loadtest.player.Scheduler.Cancellable;
import dev.segmentrelay.loadtest.player.ViewerEvents.RequestKind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One virtual viewer: a model of a live HLS or DASH player (hls.js / dash.js behaviour, no media
 * decoding), driven by a {@link Scheduler} and a {@link Fetcher}, reporting {@link ViewerEvents}.
 *
 * <h2>Threading and memory</h2>
 *
 * Every method and callback runs on the scheduler's thread, one at a time: no locks, nothing
 * blocks. A player holds only the current manifest (shared, immutable, possibly from a {@link
 * ManifestParser#caching} cache), the rendition list and a few counters: a few KB, so 10,000 fit in
 * one JVM. There are no per-player threads; timers are the scheduler's.
 *
 * <h2>Life</h2>
 *
 * <pre>
 * start ─▶ GET url (follows redirects) ─▶ master playlist │ media playlist │ MPD  (by content, then
 *          extension); relative URIs resolve against the final URL, so the player stays on the
 *          edge the router sent it to
 *   HLS master: variants (BANDWIDTH, PATHWAY-ID) ─▶ pick a rendition ─▶ media playlist loop
 *   DASH: the video AdaptationSet of the last Period, its Representations by bandwidth
 * download loop (one request at a time, like hls.js):
 *   ABR check ─▶ init segment (once per rendition and pathway) ─▶ next segment ─▶ buffer += duration
 * end: ENDLIST / static MPD played out ─▶ ended(false); stop() ─▶ ended(false);
 *      maxConsecutiveFailures failed requests in a row ─▶ ended(true)
 * </pre>
 *
 * <h2>Buffer and stalls</h2>
 *
 * {@link PlaybackBuffer}: seconds of media, filled by each completed segment's duration, drained in
 * real (scheduler) time while playing. Playback starts at {@code startBufferSeconds} ({@code
 * started(ms since the first request)}); a buffer that runs dry while playing is a stall ({@code
 * stallStarted}), which ends when the buffer holds {@code resumeBufferSeconds} ({@code
 * stallEnded(ms)}). The dry moment is computed exactly and a timer fires then, so stall lengths do
 * not depend on polling. {@code progress(played, stalled, buffer)} every second; rebuffering ratio
 * = stalled / (played + stalled). Downloads pause while the buffer holds {@code maxBufferSeconds}.
 *
 * <h2>ABR</h2>
 *
 * {@link ThroughputEstimator} (hls.js's two EWMAs of segment throughput, weighted by media
 * duration). Before each segment: the highest rendition whose BANDWIDTH is at most {@code
 * abrSafetyFactor} × estimate (the lowest if none); before the first sample, {@code
 * startRendition}. A switch is reported ({@code switched}); HLS keeps its position by media
 * sequence number, DASH by presentation time.
 *
 * <h2>Live start and reloads</h2>
 *
 * <ul>
 *   <li>HLS start: the latest segment that starts at least {@code hlsLiveStartTargetDurations}
 *       target durations before the end of the playlist (RFC 8216 6.3.3); ENDLIST: the first.
 *   <li>HLS reload (RFC 8216 6.3.4), measured from the start of the previous load: the target
 *       duration after a playlist that changed (or the first load), half of it after one that did
 *       not. {@code staleReloads} unchanged reloads in a row turn each further one into a {@code
 *       STALE_PLAYLIST} error (counted as a failure, so a dead playlist ends in giving up).
 *   <li>DASH start: {@code suggestedPresentationDelay} (else {@code dashLiveStartSegments}
 *       segments) behind the newest available segment; static: the first.
 *   <li>DASH availability comes from the template or timeline and the scheduler's wall clock
 *       ({@link Mpd#segments}); the MPD is reloaded every {@code minimumUpdatePeriod} only when it
 *       has one; without, segments are computed and the MPD is never reloaded. A reload that adds
 *       no segment counts towards staleness as in HLS.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * Every request is reported ({@code request(result, kind)}); a body that does not parse becomes
 * {@code BAD_CONTENT}. A failed segment or init segment is retried {@code segmentRetries} times
 * with doubling back-off, then skipped ({@code segmentSkipped}); manifests and playlists are
 * retried with back-off without limit. Each failed request counts towards {@code
 * maxConsecutiveFailures}; any success resets the count.
 *
 * <h2>Content steering</h2>
 *
 * HLS {@code EXT-X-CONTENT-STEERING} with {@code PATHWAY-ID} variants, DASH {@code ContentSteering}
 * with {@code BaseURL@serviceLocation}: the steering JSON is fetched after the manifest and again
 * every {@code TTL} (from {@code RELOAD-URI} when given, with {@code _HLS_pathway}/{@code
 * _DASH_pathway} and throughput as players add them); the player moves to the best pathway of
 * {@code PATHWAY-PRIORITY} / {@code SERVICE-LOCATION-PRIORITY}. A failed media request penalises
 * the current pathway for {@code pathwayPenaltyMillis} and moves to the next one at once ({@code
 * movedEdge(from, to)}); a DASH MPD is not per pathway, so its failures do not move.
 *
 * <p>Not modelled: separate audio renditions (DASH plays the video AdaptationSet; HLS {@code
 * EXT-X-MEDIA} audio groups are not fetched), byte ranges (the whole resource is fetched), LL-HLS
 * parts, multi-Period DASH (the last Period plays).
 */
public final class Player {
  private static final double DASH_EPSILON_SECONDS = 0.05;
  private static final int DASH_WINDOW = 64;
  private static final int DASH_STATIC_MAX = 100_000;
  private static final long DEFAULT_STEERING_TTL_SECONDS = 300;

  /**
   * Failed requests in a row after which an HLS viewer without another pathway goes back to its
   * first URL (the router), as a player reloading its source after fatal errors does: the router
   * sends it to an edge that is alive. Every further this-many failures it asks again, until {@code
   * maxConsecutiveFailures} makes it give up.
   */
  static final int REJOIN_AFTER_FAILURES = 3;

  private enum Protocol {
    NONE,
    HLS,
    DASH
  }

  /** An HLS variant stream: absolute playlist URI, BANDWIDTH, PATHWAY-ID. */
  private record Variant(String uri, int bandwidth, String pathway) {}

  private final String url;
  private final PlayerConfig config;
  private final Scheduler scheduler;
  private final Fetcher fetcher;
  private final ViewerEvents events;
  private final ManifestParser parser;
  private final ThroughputEstimator throughput = new ThroughputEstimator();

  private boolean running;
  private boolean ended;
  private long firstRequestAt;
  private PlaybackBuffer buffer;
  private Protocol protocol = Protocol.NONE;
  private String manifestUrl;

  private Cancellable progressTimer;
  private Cancellable drainTimer;
  private Cancellable reloadTimer;
  private Cancellable retryTimer;
  private Cancellable pumpTimer;
  private Cancellable steeringTimer;

  private int consecutiveFailures;
  // Bumped when the viewer rejoins through its first URL: answers of older requests are ignored.
  private int session;
  private String rejoiningFrom;
  // Requests in a row that found the edge unreachable or failing (not 404s or stale playlists).
  private int edgeFailures;
  private int manifestAttempts;
  private int segmentAttempts;
  private int skippedSegments;
  private boolean downloading;
  private boolean streamEnded;
  private final List<String> loadedInits = new ArrayList<>(2);
  private int rendition;

  // Content steering (null when the manifest offers one pathway and no steering server).
  private Pathways pathways;
  private String steeringUrl;
  private int steeringAttempts;

  // HLS
  private List<Variant> variants;
  private List<Variant> renditions;
  private MediaPlaylist playlist;
  private String playlistUrl;
  private int playlistGeneration;
  private int playlistAttempts;
  private long nextSequence = -1;
  private String lastLoadedUrl;
  private long lastLoadedSequence;
  private boolean lastLoadedEnd;
  private int unchangedReloads;

  // DASH
  private DashManifest dash;
  private List<Representation> representations;
  private double nextStart = Double.NaN;
  private double pendingEnd;
  private double lastMpdEnd = Double.NaN;

  /** A player that parses every manifest itself ({@link ManifestParser#direct()}). */
  public Player(
      String url, PlayerConfig config, Scheduler scheduler, Fetcher fetcher, ViewerEvents events) {
    this(url, config, scheduler, fetcher, events, ManifestParser.direct());
  }

  /**
   * A player for {@code url} (a master or media playlist, or an MPD; a router URL is fine). Nothing
   * happens until {@link #start()}.
   *
   * @param parser shared among players to parse identical bodies once ({@link
   *     ManifestParser#caching})
   */
  public Player(
      String url,
      PlayerConfig config,
      Scheduler scheduler,
      Fetcher fetcher,
      ViewerEvents events,
      ManifestParser parser) {
    if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
      throw new IllegalArgumentException("player URL must be http:// or https://, was " + url);
    }
    this.url = url;
    this.config = config;
    this.scheduler = scheduler;
    this.fetcher = fetcher;
    this.events = events;
    this.parser = parser;
  }

  /** Starts playing: the first request goes out now. Call once. */
  public void start() {
    if (running || ended) {
      throw new IllegalStateException("player already started: " + url);
    }
    running = true;
    long now = scheduler.nowMillis();
    firstRequestAt = now;
    buffer = new PlaybackBuffer(config.startBufferSeconds(), config.resumeBufferSeconds(), now);
    progressTimer = scheduler.everySecond(this::tick);
    loadManifest();
  }

  /**
   * The run is over: cancels every timer, ignores answers still in flight, reports ended(false).
   */
  public void stop() {
    if (running) {
      finish(false);
    }
  }

  /** Whether the player has ended (stopped, played out, or gave up). */
  public boolean isEnded() {
    return ended;
  }

  /** Seconds of media buffered now. */
  public double bufferSeconds() {
    if (buffer == null) {
      return 0;
    }
    if (running) {
      handle(buffer.advance(scheduler.nowMillis()));
    }
    return buffer.bufferSeconds();
  }

  /** The BANDWIDTH of the rendition playing (0 before one is chosen or when unknown). */
  public int currentBandwidth() {
    return renditionCount() == 0 ? 0 : bandwidthOf(rendition);
  }

  /** The current content-steering pathway, if the manifest has several. */
  public Optional<String> currentPathway() {
    return pathways == null ? Optional.empty() : Optional.of(pathways.current());
  }

  /** Segments given up after their retries. */
  public int skippedSegments() {
    return skippedSegments;
  }

  // ---------------------------------------------------------------- manifest

  private void loadManifest() {
    fetch(url, true, this::onManifest);
  }

  /** {@link Fetcher#get}, dropping the answer if the viewer rejoined meanwhile. */
  private void fetch(String u, boolean keepBody, java.util.function.Consumer<FetchResult> done) {
    int asked = session;
    fetcher.get(
        u,
        keepBody,
        r -> {
          if (asked == session) {
            switch (r.error()) {
              case CONNECT, TIMEOUT, HTTP_5XX, TRUNCATED -> edgeFailures++;
              case NONE -> edgeFailures = 0;
              default -> {
                // a 404, a bad or stale playlist: the edge answers, no reason to leave it
              }
            }
            done.accept(r);
          }
        });
  }

  /**
   * Whether failures should send this viewer back to its first URL. After {@code segmentRetries +
   * 2} requests in a row that found the edge unreachable or failing (connect errors, timeouts, 5xx,
   * truncated bodies; one more than a single bad segment's retries, so one lost segment is skipped
   * and not taken for a dead edge), an HLS viewer without another pathway goes back to its first
   * URL (the router), as a player reloading its source after fatal errors does, and the router
   * sends it to an edge that is alive. It asks again after each further run of such failures, until
   * {@code maxConsecutiveFailures} makes it give up.
   */
  private boolean canRejoin() {
    return protocol == Protocol.HLS && pathways == null && manifestUrl != null;
  }

  /**
   * Starts over from the first URL, keeping the buffer (playback goes on while the buffer lasts)
   * and the next segment number (the new edge serves the same origin's numbering).
   */
  private void rejoin() {
    session++;
    cancel(reloadTimer);
    cancel(retryTimer);
    cancel(pumpTimer);
    cancel(steeringTimer);
    reloadTimer = retryTimer = pumpTimer = steeringTimer = null;
    downloading = false;
    playlist = null;
    rejoiningFrom = hostOf(manifestUrl);
    loadManifest();
  }

  private static String hostOf(String u) {
    try {
      URI parsed = URI.create(u);
      return parsed.getHost() + (parsed.getPort() < 0 ? "" : ":" + parsed.getPort());
    } catch (IllegalArgumentException e) {
      return u;
    }
  }

  private void onManifest(FetchResult r) {
    if (!running) {
      return;
    }
    if (!r.ok() || r.body().isEmpty()) {
      report(r.ok() ? r.withError(ErrorKind.BAD_CONTENT) : r, kindByExtension(url));
      if (failed()) {
        retryTimer = scheduler.schedule(config.retryDelay(++manifestAttempts), this::loadManifest);
      }
      return;
    }
    String body = r.body().get();
    String finalUrl = r.url() == null || r.url().isEmpty() ? url : r.url();
    boolean isDash = looksLikeMpd(body, finalUrl);
    HlsPlaylist hls = null;
    DashManifest mpd = null;
    MasterDigest master = null;
    try {
      if (isDash) {
        mpd = parser.parseDash(body, URI.create(finalUrl));
      } else {
        hls = parser.parseHls(body);
        if (hls instanceof MasterPlaylist m) {
          master = digest(m, finalUrl);
        }
      }
    } catch (RuntimeException e) {
      report(r.withError(ErrorKind.BAD_CONTENT), isDash ? RequestKind.MPD : kindByExtension(url));
      if (failed()) {
        retryTimer = scheduler.schedule(config.retryDelay(++manifestAttempts), this::loadManifest);
      }
      return;
    }
    manifestAttempts = 0;
    manifestUrl = finalUrl;
    if (rejoiningFrom != null) {
      String to = hostOf(finalUrl);
      if (!to.equals(rejoiningFrom)) {
        events.movedEdge(rejoiningFrom, to);
      }
      rejoiningFrom = null;
    }
    if (mpd != null) {
      report(r, RequestKind.MPD);
      succeeded();
      startDash(mpd, r);
    } else if (master != null) {
      protocol = Protocol.HLS;
      report(r, RequestKind.MASTER);
      succeeded();
      startHlsMaster(master);
    } else {
      protocol = Protocol.HLS;
      report(r, RequestKind.MEDIA_PLAYLIST);
      succeeded();
      variants = List.of(new Variant(finalUrl, 0, "."));
      renditions = variants;
      rendition = 0;
      playlistUrl = finalUrl;
      ++playlistGeneration;
      acceptPlaylist(
          (MediaPlaylist) hls, finalUrl, scheduler.nowMillis() - (long) r.elapsedMillis());
    }
  }

  private static boolean looksLikeMpd(String body, String finalUrl) {
    String head = body.length() > 512 ? body.substring(0, 512) : body;
    if (head.stripLeading().startsWith("#EXTM3U")) {
      return false;
    }
    return head.contains("<MPD") || head.contains(":MPD") || path(finalUrl).endsWith(".mpd");
  }

  private static RequestKind kindByExtension(String u) {
    return path(u).endsWith(".mpd") ? RequestKind.MPD : RequestKind.MASTER;
  }

  private static String path(String u) {
    int q = u.indexOf('?');
    return q < 0 ? u : u.substring(0, q);
  }

  // ---------------------------------------------------------------- HLS

  /** What the player takes from a master playlist; built before anything changes. */
  private record MasterDigest(List<Variant> variants, String steeringUri, String steeringPathway) {}

  private static MasterDigest digest(MasterPlaylist master, String base) {
    List<Variant> all = new ArrayList<>();
    String steeringUri = null;
    String steeringPathway = null;
    for (MasterPlaylist.Line line : master.lines()) {
      if (line instanceof MasterPlaylist.Variant v) {
        Map<String, String> attrs = attributes(v.streamInf());
        all.add(
            new Variant(
                resolve(base, v.uri()),
                integer(attrs.getOrDefault("BANDWIDTH", attrs.get("AVERAGE-BANDWIDTH"))),
                attrs.getOrDefault("PATHWAY-ID", ".")));
      } else if (line instanceof MasterPlaylist.Tag t
          && t.text().startsWith("#EXT-X-CONTENT-STEERING:")) {
        Map<String, String> attrs = attributes(t.text());
        steeringUri = attrs.get("SERVER-URI");
        steeringPathway = attrs.get("PATHWAY-ID");
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("master playlist without variants");
    }
    return new MasterDigest(
        List.copyOf(all), steeringUri == null ? null : resolve(base, steeringUri), steeringPathway);
  }

  private void startHlsMaster(MasterDigest master) {
    String steeringUri = master.steeringUri();
    String steeringPathway = master.steeringPathway();
    variants = master.variants();
    List<String> offered = new ArrayList<>();
    for (Variant v : variants) {
      if (!offered.contains(v.pathway())) {
        offered.add(v.pathway());
      }
    }
    String initial = offered.contains(steeringPathway) ? steeringPathway : offered.get(0);
    if (offered.size() > 1 || steeringUri != null) {
      pathways = new Pathways(offered, initial);
    }
    renditions = variantsOf(initial);
    rendition = initialRendition(renditions.size());
    loadPlaylist();
    if (steeringUri != null) {
      steeringUrl = steeringUri;
      loadSteering();
    }
  }

  private List<Variant> variantsOf(String pathway) {
    List<Variant> out = new ArrayList<>();
    for (Variant v : variants) {
      if (v.pathway().equals(pathway)) {
        out.add(v);
      }
    }
    out.sort(Comparator.comparingInt(Variant::bandwidth));
    return List.copyOf(out);
  }

  private void loadPlaylist() {
    cancel(reloadTimer);
    reloadTimer = null;
    int generation = ++playlistGeneration;
    String u = renditions.get(rendition).uri();
    playlistUrl = u;
    long started = scheduler.nowMillis();
    fetch(u, true, r -> onPlaylist(r, u, generation, started));
  }

  private void onPlaylist(FetchResult r, String u, int generation, long started) {
    if (!running) {
      return;
    }
    if (!r.ok() || r.body().isEmpty()) {
      report(r.ok() ? r.withError(ErrorKind.BAD_CONTENT) : r, RequestKind.MEDIA_PLAYLIST);
      if (generation == playlistGeneration) {
        playlistFailed();
      }
      return;
    }
    MediaPlaylist p;
    try {
      HlsPlaylist parsed = parser.parseHls(r.body().get());
      if (!(parsed instanceof MediaPlaylist m)) {
        throw new IllegalArgumentException("a master playlist where a media playlist belongs");
      }
      p = m;
    } catch (RuntimeException e) {
      report(r.withError(ErrorKind.BAD_CONTENT), RequestKind.MEDIA_PLAYLIST);
      if (generation == playlistGeneration) {
        playlistFailed();
      }
      return;
    }
    if (generation != playlistGeneration) {
      report(r, RequestKind.MEDIA_PLAYLIST); // answered after a switch: not used
      return;
    }
    boolean changed =
        !u.equals(lastLoadedUrl)
            || p.lastSequence() != lastLoadedSequence
            || p.endList() != lastLoadedEnd;
    if (changed) {
      unchangedReloads = 0;
    } else {
      unchangedReloads++;
    }
    lastLoadedUrl = u;
    lastLoadedSequence = p.lastSequence();
    lastLoadedEnd = p.endList();
    if (unchangedReloads >= config.staleReloads()) {
      report(r.withError(ErrorKind.STALE_PLAYLIST), RequestKind.MEDIA_PLAYLIST);
      playlist = p;
      if (!failed()) {
        return;
      }
      if (movePathwayAfterFailure()) {
        return;
      }
      scheduleReload(p, false, started);
      return;
    }
    report(r, RequestKind.MEDIA_PLAYLIST);
    succeeded();
    acceptPlaylist(p, u, started);
  }

  /** A playlist (first load or reload) that is current and usable. */
  private void acceptPlaylist(MediaPlaylist p, String u, long started) {
    playlistAttempts = 0;
    if (lastLoadedUrl == null || !lastLoadedUrl.equals(u)) {
      lastLoadedUrl = u;
      lastLoadedSequence = p.lastSequence();
      lastLoadedEnd = p.endList();
    }
    boolean first = playlist == null;
    playlist = p;
    if (!p.endList()) {
      scheduleReload(p, first || unchangedReloads == 0, started);
    }
    pump();
  }

  private void scheduleReload(MediaPlaylist p, boolean changed, long started) {
    long interval = Math.max(1, p.targetDuration()) * 1000;
    if (!changed) {
      interval /= 2;
    }
    long delay = Math.max(0, started + interval - scheduler.nowMillis());
    cancel(reloadTimer);
    reloadTimer = scheduler.schedule(delay, this::reloadPlaylist);
  }

  private void reloadPlaylist() {
    reloadTimer = null;
    int generation = playlistGeneration;
    String u = playlistUrl;
    long started = scheduler.nowMillis();
    fetch(u, true, r -> onPlaylist(r, u, generation, started));
  }

  private void playlistFailed() {
    if (!failed() || movePathwayAfterFailure()) {
      return;
    }
    cancel(reloadTimer);
    reloadTimer = scheduler.schedule(config.retryDelay(++playlistAttempts), this::reloadPlaylist);
  }

  private void pumpHls() {
    MediaPlaylist p = playlist;
    if (p == null) {
      return; // loading
    }
    if (nextSequence < 0 || nextSequence < p.mediaSequence()) {
      nextSequence = p.mediaSequence() + hlsStartIndex(p);
    }
    long index = nextSequence - p.mediaSequence();
    if (index >= p.segments().size()) {
      if (p.endList()) {
        endOfStream();
      }
      return; // wait for the next reload
    }
    HlsSegment s = p.segments().get((int) index);
    String init = s.map().isPresent() ? resolve(playlistUrl, s.map().get().uri()) : null;
    download(init, resolve(playlistUrl, s.uri()), s.duration());
  }

  private int hlsStartIndex(MediaPlaylist p) {
    if (p.endList()) {
      return 0;
    }
    double distance = config.hlsLiveStartTargetDurations() * p.targetDuration();
    List<HlsSegment> segments = p.segments();
    double sum = 0;
    for (int i = segments.size() - 1; i >= 0; i--) {
      sum += segments.get(i).duration();
      if (sum >= distance) {
        return i;
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- DASH

  private void startDash(DashManifest m, FetchResult r) {
    protocol = Protocol.DASH;
    dash = m;
    representations = videoRepresentations(m.mpd());
    if (representations.isEmpty()) {
      report(r.withError(ErrorKind.BAD_CONTENT), RequestKind.MPD);
      finish(true);
      return;
    }
    rendition = initialRendition(representations.size());
    if (m.baseUrls().size() > 1 || m.steeringUri().isPresent()) {
      List<String> offered = new ArrayList<>();
      for (DashManifest.ServiceLocation l : m.baseUrls()) {
        offered.add(l.id());
      }
      if (offered.isEmpty()) {
        offered.add(".");
      }
      String initial = m.defaultServiceLocation().filter(offered::contains).orElse(offered.get(0));
      pathways = new Pathways(offered, initial);
    }
    lastMpdEnd = newestEnd();
    scheduleMpdReload(scheduler.nowMillis() - (long) r.elapsedMillis());
    pump();
    if (m.steeringUri().isPresent()) {
      steeringUrl = m.steeringUri().get();
      loadSteering();
    }
  }

  private static List<Representation> videoRepresentations(Mpd mpd) {
    Period period = mpd.lastPeriod();
    AdaptationSet chosen = null;
    for (AdaptationSet set : period.adaptationSets()) {
      if (set.representations().isEmpty()) {
        continue;
      }
      boolean video =
          set.contentType().map("video"::equals).orElse(false)
              || set.mimeType().map(t -> t.startsWith("video")).orElse(false)
              || set.representations()
                  .get(0)
                  .mimeType()
                  .map(t -> t.startsWith("video"))
                  .orElse(false);
      if (video) {
        chosen = set;
        break;
      }
      if (chosen == null) {
        chosen = set;
      }
    }
    if (chosen == null) {
      return List.of();
    }
    List<Representation> reps = new ArrayList<>(chosen.representations());
    reps.sort(Comparator.comparingLong(Representation::bandwidth));
    return List.copyOf(reps);
  }

  private void scheduleMpdReload(long started) {
    Mpd mpd = dash.mpd();
    if (!mpd.isDynamic() || mpd.minimumUpdatePeriod().isEmpty()) {
      return;
    }
    long period = Math.max(100, mpd.minimumUpdatePeriod().get().toMillis());
    long delay = Math.max(0, started + period - scheduler.nowMillis());
    cancel(reloadTimer);
    reloadTimer = scheduler.schedule(delay, this::reloadMpd);
  }

  private void reloadMpd() {
    reloadTimer = null;
    long started = scheduler.nowMillis();
    fetch(manifestUrl, true, r -> onMpdReload(r, started));
  }

  private void onMpdReload(FetchResult r, long started) {
    if (!running) {
      return;
    }
    DashManifest m = null;
    if (r.ok() && r.body().isPresent()) {
      try {
        m = parser.parseDash(r.body().get(), URI.create(manifestUrl));
        if (videoRepresentations(m.mpd()).isEmpty()) {
          m = null;
        }
      } catch (RuntimeException e) {
        m = null;
      }
    }
    if (m == null) {
      report(r.ok() ? r.withError(ErrorKind.BAD_CONTENT) : r, RequestKind.MPD);
      if (failed()) {
        reloadTimer = scheduler.schedule(config.retryDelay(++playlistAttempts), this::reloadMpd);
      }
      return;
    }
    dash = m;
    String currentId = representations.get(rendition).id();
    representations = videoRepresentations(m.mpd());
    rendition = Math.min(rendition, representations.size() - 1);
    for (int i = 0; i < representations.size(); i++) {
      if (representations.get(i).id().equals(currentId)) {
        rendition = i;
      }
    }
    double end = newestEnd();
    if (end > lastMpdEnd || !m.mpd().isDynamic()) {
      unchangedReloads = 0;
    } else {
      unchangedReloads++;
    }
    lastMpdEnd = Math.max(end, Double.isNaN(lastMpdEnd) ? end : lastMpdEnd);
    if (unchangedReloads >= config.staleReloads()) {
      report(r.withError(ErrorKind.STALE_PLAYLIST), RequestKind.MPD);
      if (!failed()) {
        return;
      }
    } else {
      report(r, RequestKind.MPD);
      succeeded();
      playlistAttempts = 0;
    }
    scheduleMpdReload(started);
    pump();
  }

  /** End (seconds into the Period) of the newest segment of the current Representation now. */
  private double newestEnd() {
    List<DashSegment> segments = dashSegments();
    if (segments.isEmpty()) {
      return 0;
    }
    DashSegment last = segments.get(segments.size() - 1);
    return startOf(last) + last.durationSeconds();
  }

  private List<DashSegment> dashSegments() {
    Mpd mpd = dash.mpd();
    return mpd.segments(
        representations.get(rendition),
        wallClock(),
        mpd.isDynamic() ? DASH_WINDOW : DASH_STATIC_MAX);
  }

  private static double startOf(DashSegment s) {
    return s.presentationStart().toNanos() / 1e9;
  }

  private void pumpDash() {
    List<DashSegment> segments = dashSegments();
    Mpd mpd = dash.mpd();
    if (Double.isNaN(nextStart) && !segments.isEmpty()) {
      nextStart = startOf(segments.get(dashStartIndex(mpd, segments)));
    }
    DashSegment next = null;
    for (DashSegment s : segments) {
      if (startOf(s) + s.durationSeconds() > nextStart + DASH_EPSILON_SECONDS) {
        next = s;
        break;
      }
    }
    if (next == null) {
      Period period = mpd.lastPeriod();
      boolean over =
          !mpd.isDynamic()
              || (period.duration().isPresent()
                  && nextStart + DASH_EPSILON_SECONDS >= period.duration().get().toNanos() / 1e9);
      if (over && !segments.isEmpty()) {
        endOfStream();
      } else {
        waitForDashSegment(segments);
      }
      return;
    }
    Representation rep = representations.get(rendition);
    pendingEnd = startOf(next) + next.durationSeconds();
    String init = rep.initializationUrl().map(u -> onPathway(u.toString())).orElse(null);
    download(init, onPathway(next.url().toString()), next.durationSeconds());
  }

  private int dashStartIndex(Mpd mpd, List<DashSegment> segments) {
    if (!mpd.isDynamic()) {
      return 0;
    }
    double distance =
        mpd.suggestedPresentationDelay().isPresent()
            ? mpd.suggestedPresentationDelay().get().toNanos() / 1e9
            : config.dashLiveStartSegments() * segments.get(segments.size() - 1).durationSeconds();
    double sum = 0;
    for (int i = segments.size() - 1; i >= 0; i--) {
      sum += segments.get(i).durationSeconds();
      if (sum >= distance - 1e-9) {
        return i;
      }
    }
    return 0;
  }

  /** Sleeps until the next segment should be available by the template's clock. */
  private void waitForDashSegment(List<DashSegment> segments) {
    long delay = 500;
    Mpd mpd = dash.mpd();
    if (!segments.isEmpty() && mpd.availabilityStartTime().isPresent()) {
      DashSegment last = segments.get(segments.size() - 1);
      double availableAt =
          mpd.availabilityStartTime().get().toEpochMilli()
              + mpd.lastPeriod().start().toMillis()
              + (startOf(last) + 2 * last.durationSeconds()) * 1000.0;
      delay = (long) Math.ceil(availableAt - scheduler.wallClockMillis());
      delay = Math.max(50, Math.min(delay, (long) (last.durationSeconds() * 1000) + 50));
    }
    cancel(pumpTimer);
    pumpTimer = scheduler.schedule(delay, this::pumpLater);
  }

  /** A URL resolved against the first BaseURL, moved to the current pathway's BaseURL. */
  private String onPathway(String u) {
    if (pathways == null || dash.baseUrls().size() < 2) {
      return u;
    }
    String first = dash.baseUrls().get(0).url();
    for (DashManifest.ServiceLocation l : dash.baseUrls()) {
      if (l.id().equals(pathways.current())) {
        return u.startsWith(first) ? l.url() + u.substring(first.length()) : u;
      }
    }
    return u;
  }

  private Clock wallClock() {
    return new Clock() {
      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(scheduler.wallClockMillis());
      }

      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }
    };
  }

  // ---------------------------------------------------------------- download loop

  private void pumpLater() {
    pumpTimer = null;
    pump();
  }

  /** Starts the next download if none is running and one is due. */
  private void pump() {
    if (!running || downloading || streamEnded) {
      return;
    }
    cancel(pumpTimer);
    pumpTimer = null;
    int want = chooseRendition();
    if (want != rendition) {
      int from = bandwidthOf(rendition);
      rendition = want;
      events.switched(from, bandwidthOf(want));
      if (protocol != Protocol.DASH) {
        playlist = null;
        loadPlaylist();
        return;
      }
    }
    handle(buffer.advance(scheduler.nowMillis()));
    if (!running) {
      return;
    }
    double over = buffer.bufferSeconds() - config.maxBufferSeconds();
    if (over >= 0) {
      pumpTimer = scheduler.schedule((long) Math.ceil(over * 1000) + 1, this::pumpLater);
      return;
    }
    if (protocol == Protocol.DASH) {
      pumpDash();
    } else {
      pumpHls();
    }
  }

  private void download(String initUrl, String segmentUrl, double seconds) {
    downloading = true;
    if (initUrl != null && !loadedInits.contains(initUrl)) {
      fetch(initUrl, false, r -> onInit(r, initUrl));
      return;
    }
    int bandwidth = bandwidthOf(rendition);
    fetch(segmentUrl, false, r -> onSegment(r, segmentUrl, seconds, bandwidth));
  }

  private void onInit(FetchResult r, String initUrl) {
    if (!running) {
      return;
    }
    downloading = false;
    report(r, RequestKind.INIT);
    if (r.ok()) {
      if (loadedInits.size() >= 8) {
        loadedInits.remove(0);
      }
      loadedInits.add(initUrl);
      succeeded();
      pump();
    } else {
      segmentFailed(initUrl);
    }
  }

  private void onSegment(FetchResult r, String segmentUrl, double seconds, int bandwidth) {
    if (!running) {
      return;
    }
    downloading = false;
    report(r, RequestKind.SEGMENT);
    if (!r.ok()) {
      segmentFailed(segmentUrl);
      return;
    }
    events.segment(r, seconds, bandwidth);
    throughput.sample(r.bytes(), r.elapsedMillis(), seconds);
    succeeded();
    segmentAttempts = 0;
    advancePosition();
    handle(buffer.add(scheduler.nowMillis(), seconds));
    scheduleDrain();
    pump();
  }

  private void advancePosition() {
    if (protocol == Protocol.DASH) {
      nextStart = pendingEnd;
    } else {
      nextSequence++;
    }
  }

  private void segmentFailed(String failedUrl) {
    if (!failed()) {
      return;
    }
    segmentAttempts++;
    if (segmentAttempts > config.segmentRetries()) {
      segmentAttempts = 0;
      skippedSegments++;
      events.segmentSkipped(failedUrl);
      advancePosition();
      if (!movePathwayAfterFailure()) {
        pump();
      }
      return;
    }
    if (movePathwayAfterFailure()) {
      return;
    }
    cancel(pumpTimer);
    pumpTimer = scheduler.schedule(config.retryDelay(segmentAttempts), this::pumpLater);
  }

  private void endOfStream() {
    streamEnded = true;
    boolean wasStalled = buffer.state() == PlaybackBuffer.State.STALLED;
    PlaybackBuffer.Transition t = buffer.endOfStream(scheduler.nowMillis());
    if (t == PlaybackBuffer.Transition.ENDED && wasStalled) {
      events.stallEnded(buffer.lastStallMillis());
    }
    handle(t);
    scheduleDrain();
  }

  // ---------------------------------------------------------------- ABR

  private int initialRendition(int count) {
    int index =
        config.fixedRendition().isPresent()
            ? config.fixedRendition().getAsInt()
            : config.startRendition();
    return Math.min(index, count - 1);
  }

  private int chooseRendition() {
    int count = renditionCount();
    if (config.fixedRendition().isPresent()) {
      return Math.min(config.fixedRendition().getAsInt(), count - 1);
    }
    if (!throughput.hasEstimate() || count < 2) {
      return Math.min(rendition, count - 1);
    }
    double budget = config.abrSafetyFactor() * throughput.estimate();
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (bandwidthOf(i) <= budget) {
        best = i;
      }
    }
    return best;
  }

  private int renditionCount() {
    if (protocol == Protocol.DASH) {
      return representations == null ? 0 : representations.size();
    }
    return renditions == null ? 0 : renditions.size();
  }

  private int bandwidthOf(int index) {
    if (protocol == Protocol.DASH) {
      return (int) Math.min(Integer.MAX_VALUE, representations.get(index).bandwidth());
    }
    return renditions.get(index).bandwidth();
  }

  // ---------------------------------------------------------------- steering

  private void loadSteering() {
    steeringTimer = null;
    String base = steeringUrl;
    String prefix = protocol == Protocol.DASH ? "_DASH_" : "_HLS_";
    StringBuilder u = new StringBuilder(base.length() + 64).append(base);
    u.append(base.indexOf('?') < 0 ? '?' : '&');
    u.append(prefix).append("pathway=").append(encode(pathways.current()));
    if (throughput.hasEstimate()) {
      u.append('&').append(prefix).append("throughput=").append((long) throughput.estimate());
    }
    fetch(u.toString(), true, this::onSteering);
  }

  private void onSteering(FetchResult r) {
    if (!running) {
      return;
    }
    long ttl = DEFAULT_STEERING_TTL_SECONDS;
    List<String> order = null;
    if (r.ok() && r.body().isPresent()) {
      try {
        JsonObject json = new JsonObject(r.body().get());
        ttl = Math.max(1, json.getLong("TTL", DEFAULT_STEERING_TTL_SECONDS));
        String reload = json.getString("RELOAD-URI");
        if (reload != null) {
          steeringUrl = resolve(steeringUrl, reload);
        }
        JsonArray list =
            json.getJsonArray(
                protocol == Protocol.DASH ? "SERVICE-LOCATION-PRIORITY" : "PATHWAY-PRIORITY");
        order = new ArrayList<>();
        if (list != null) {
          for (int i = 0; i < list.size(); i++) {
            order.add(list.getString(i));
          }
        }
      } catch (RuntimeException e) {
        order = null;
      }
    }
    if (order == null) {
      report(r.ok() ? r.withError(ErrorKind.BAD_CONTENT) : r, RequestKind.STEERING);
      steeringTimer = scheduler.schedule(config.retryDelay(++steeringAttempts), this::loadSteering);
      return;
    }
    report(r, RequestKind.STEERING);
    steeringAttempts = 0;
    pathways.prioritise(order);
    String best = pathways.best(scheduler.nowMillis());
    if (best != null && !best.equals(pathways.current())) {
      movePathway(best);
    }
    steeringTimer = scheduler.schedule(ttl * 1000, this::loadSteering);
  }

  /** After a failed media request: penalise this pathway and move to the next, if any. */
  private boolean movePathwayAfterFailure() {
    if (pathways == null || pathways.offered().size() < 2) {
      return false;
    }
    long now = scheduler.nowMillis();
    String from = pathways.current();
    pathways.penalise(from, now + config.pathwayPenaltyMillis());
    String to = pathways.best(now);
    if (to == null || to.equals(from)) {
      return false;
    }
    movePathway(to);
    return true;
  }

  private void movePathway(String to) {
    String from = pathways.current();
    pathways.setCurrent(to);
    events.movedEdge(from, to);
    loadedInits.clear();
    if (protocol == Protocol.DASH) {
      if (!downloading) {
        pump();
      }
      return;
    }
    List<Variant> next = variantsOf(to);
    if (next.isEmpty()) {
      return;
    }
    renditions = next;
    rendition = Math.min(rendition, renditions.size() - 1);
    playlist = null;
    unchangedReloads = 0;
    loadPlaylist();
  }

  // ---------------------------------------------------------------- bookkeeping

  private void report(FetchResult r, RequestKind kind) {
    events.request(r, kind);
  }

  private void succeeded() {
    consecutiveFailures = 0;
  }

  /** Counts a failed request; false when that was one too many and the player gave up. */
  private boolean failed() {
    consecutiveFailures++;
    if (consecutiveFailures >= config.maxConsecutiveFailures()) {
      finish(true);
      return false;
    }
    if (edgeFailures >= config.segmentRetries() + 2 && canRejoin()) {
      edgeFailures = 0;
      rejoin();
      return false;
    }
    return true;
  }

  private void tick() {
    if (!running) {
      return;
    }
    handle(buffer.advance(scheduler.nowMillis()));
    if (!running) {
      return;
    }
    events.progress(buffer.playedSeconds(), buffer.stalledSeconds(), buffer.bufferSeconds());
  }

  private void scheduleDrain() {
    cancel(drainTimer);
    drainTimer = null;
    long ms = running ? buffer.millisUntilDry() : -1;
    if (ms >= 0) {
      drainTimer =
          scheduler.schedule(
              ms,
              () -> {
                drainTimer = null;
                if (running) {
                  handle(buffer.advance(scheduler.nowMillis()));
                }
              });
    }
  }

  private void handle(PlaybackBuffer.Transition t) {
    switch (t) {
      case STARTED -> events.started(scheduler.nowMillis() - firstRequestAt);
      case STALL_STARTED -> events.stallStarted();
      case STALL_ENDED -> events.stallEnded(buffer.lastStallMillis());
      case ENDED -> finish(false);
      case NONE -> {}
    }
  }

  private void finish(boolean gaveUp) {
    if (ended) {
      return;
    }
    ended = true;
    running = false;
    cancel(progressTimer);
    cancel(drainTimer);
    cancel(reloadTimer);
    cancel(retryTimer);
    cancel(pumpTimer);
    cancel(steeringTimer);
    progressTimer = drainTimer = reloadTimer = retryTimer = pumpTimer = steeringTimer = null;
    if (buffer != null) {
      buffer.advance(scheduler.nowMillis());
      events.progress(buffer.playedSeconds(), buffer.stalledSeconds(), buffer.bufferSeconds());
    }
    events.ended(gaveUp);
  }

  private static void cancel(Cancellable c) {
    if (c != null) {
      c.cancel();
    }
  }

  private static Map<String, String> attributes(String tagLine) {
    int colon = tagLine.indexOf(':');
    return AttributeList.parse(colon < 0 ? "" : tagLine.substring(colon + 1));
  }

  private static int integer(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * {@code ref} resolved against {@code base} (RFC 3986). A plain relative name, as nearly every
   * segment URI is ({@code seg42.ts}, {@code v2/seg42.m4s?t=1}), is merged with the base's
   * directory by string: no dot segments to remove, so the result is the one {@link URI#resolve}
   * gives, without parsing the base per segment.
   */
  static String resolve(String base, String ref) {
    if (ref.startsWith("http://") || ref.startsWith("https://")) {
      return ref;
    }
    if (plainRelative(ref)) {
      int end = base.length();
      for (int i = base.indexOf("://") + 3; i > 2 && i < base.length(); i++) {
        char c = base.charAt(i);
        if (c == '?' || c == '#') {
          end = i;
          break;
        }
      }
      int scheme = base.indexOf("://");
      int slash = base.lastIndexOf('/', end - 1);
      if (scheme > 0 && slash > scheme + 2 && base.indexOf('/', scheme + 3) <= slash) {
        return base.substring(0, slash + 1) + ref;
      }
    }
    return URI.create(base).resolve(ref).toString();
  }

  /** A relative path reference with no scheme, no dot segment, no fragment, nothing to escape. */
  private static boolean plainRelative(String ref) {
    if (ref.isEmpty()) {
      return false;
    }
    char prev = '/';
    boolean query = false;
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '~'
              || c == '='
              || c == '&'
              || c == '+'
              || c == ','
              || c == '%'
              || (c == '/' && !query && prev != '/')
              || (c == '.' && (query || prev != '/'))
              || (c == '?' && !query && i > 0);
      if (!ok) {
        return false;
      }
      query |= c == '?';
      prev = c;
    }
    return prev != '.' || query;
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }
}
