package dev.segmentrelay.georouter.location;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GeoIP database that follows its file: download, verify, swap.
 *
 * <p>Design: lookups read an {@link AtomicReference} to the current {@link GeoIpDatabase} and never
 * block. {@link #reloadIfChanged()} (called by the scheduler from {@link #start}, or by the owner)
 * compares the file's modification time and size with the last seen ones; when they differ it opens
 * the new file, which {@link GeoIpDatabase#open} verifies (readable, a MaxMind DB of a City or
 * Country type, probe lookups decode). Only then is it swapped in. A file with the same bytes
 * (SHA-256) as the current one is not swapped. A bad file leaves the old database serving, logs a
 * warning, counts a failure and is not retried until the file changes again.
 *
 * <p>The replaced database is closed only after a grace period ({@code grace}, 30 s by default), so
 * lookups that read the old reference just before the swap finish on it; a lookup that still finds
 * it closed retries once on the current one. Retired databases are closed by later reload checks
 * (time from the injected {@link Clock}) and by {@link #close()}.
 */
public final class ReloadingGeoIp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingGeoIp.class);
  private static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

  /** What a reload check did. */
  public enum Outcome {
    /** The first open, at construction. */
    OPENED,
    /** The file changed and the verified new database now serves. */
    RELOADED,
    /** Nothing to do: same modification time and size, or same content. */
    UNCHANGED,
    /** The file changed but could not be used; the previous database still serves. */
    FAILED
  }

  /**
   * The result of the last reload check that did something.
   *
   * @param at when the check ran
   * @param outcome what happened
   * @param message a human sentence: the database loaded, or why the new file was refused
   */
  public record ReloadResult(Instant at, Outcome outcome, String message) {}

  private record Signature(Instant modified, long size) {}

  private record Retired(GeoIpDatabase db, Instant closeAfter) {}

  private final Path path;
  private final Clock clock;
  private final Duration grace;
  private final AtomicReference<GeoIpDatabase> current;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final List<Retired> retired = new ArrayList<>();
  private Signature seen; // guarded by this
  private volatile ReloadResult last;

  private ReloadingGeoIp(Path path, Clock clock, Duration grace, GeoIpDatabase first, Signature s) {
    this.path = path;
    this.clock = clock;
    this.grace = grace;
    this.current = new AtomicReference<>(first);
    this.seen = s;
    this.last = new ReloadResult(clock.instant(), Outcome.OPENED, describe(first));
  }

  /**
   * Opens the database at {@code path}.
   *
   * @throws GeoIpDatabaseException naming the path and the fix when it is missing or bad
   */
  public static ReloadingGeoIp open(Path path) {
    return open(path, Clock.systemUTC(), DEFAULT_GRACE);
  }

  /** As {@link #open(Path)} with an injected clock and the grace before an old reader is closed. */
  public static ReloadingGeoIp open(Path path, Clock clock, Duration grace) {
    Objects.requireNonNull(clock, "clock");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace " + grace + " must not be negative");
    }
    Signature before = signatureOrNull(path);
    GeoIpDatabase db = GeoIpDatabase.open(path);
    ReloadingGeoIp r = new ReloadingGeoIp(path, clock, grace, db, before);
    LOG.info("GeoIP: {}", r.last.message());
    return r;
  }

  /** The location of an address in the current database, if it has one. */
  public Optional<Location> locate(InetAddress address) {
    return Optional.ofNullable(locateOrNull(address));
  }

  Location locateOrNull(InetAddress address) {
    return locateOrNull(address, address.getAddress());
  }

  Location locateOrNull(InetAddress address, byte[] bytes) {
    GeoIpDatabase db = current.get();
    try {
      return db.locateOrNull(address, bytes);
    } catch (GeoIpDatabaseException e) {
      GeoIpDatabase now = current.get();
      if (now != db) {
        return now.locateOrNull(address, bytes); // raced a swap past the grace period
      }
      throw e;
    }
  }

  /** The database serving now. */
  public GeoIpDatabase current() {
    return current.get();
  }

  public Path path() {
    return path;
  }

  /**
   * Checks the file and swaps in a verified new database when it changed. Never throws for a bad
   * file: the result (also kept as {@link #lastReload()}) says what happened.
   */
  public synchronized ReloadResult reloadIfChanged() {
    closeRetired(false);
    Signature now = signatureOrNull(path);
    if (Objects.equals(now, seen)) {
      return new ReloadResult(clock.instant(), Outcome.UNCHANGED, "unchanged: " + path);
    }
    seen = now;
    if (now == null) {
      return fail("file " + path + " is gone");
    }
    GeoIpDatabase fresh;
    try {
      fresh = GeoIpDatabase.open(path);
    } catch (GeoIpDatabaseException e) {
      return fail(e.getMessage());
    }
    GeoIpDatabase old = current.get();
    if (fresh.sha256().equals(old.sha256())) {
      fresh.close();
      return new ReloadResult(clock.instant(), Outcome.UNCHANGED, "same content: " + path);
    }
    current.set(fresh);
    retired.add(new Retired(old, clock.instant().plus(grace)));
    reloads.incrementAndGet();
    ReloadResult r = new ReloadResult(clock.instant(), Outcome.RELOADED, describe(fresh));
    last = r;
    LOG.info("GeoIP reloaded: {}", r.message());
    return r;
  }

  private ReloadResult fail(String why) {
    failures.incrementAndGet();
    GeoIpDatabase kept = current.get();
    ReloadResult r =
        new ReloadResult(
            clock.instant(),
            Outcome.FAILED,
            "reload refused, still serving the database built "
                + kept.buildTime()
                + " (sha256 "
                + kept.sha256().substring(0, 12)
                + "): "
                + why);
    last = r;
    LOG.warn("GeoIP {}", r.message());
    return r;
  }

  /** The last check that opened, reloaded or failed (unchanged checks do not replace it). */
  public ReloadResult lastReload() {
    return last;
  }

  /** Successful swaps since start. */
  public long reloadCount() {
    return reloads.get();
  }

  /** Refused new files since start. */
  public long failureCount() {
    return failures.get();
  }

  /**
   * Runs {@link #reloadIfChanged()} every {@code every} on the executor; cancel the returned future
   * (or shut the executor down) to stop. The check costs two {@code stat} calls when nothing
   * changed.
   */
  public ScheduledFuture<?> start(ScheduledExecutorService executor, Duration every) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("reload interval " + every + " must be positive");
    }
    long ms = every.toMillis();
    return executor.scheduleWithFixedDelay(
        () -> {
          try {
            reloadIfChanged();
          } catch (RuntimeException e) {
            LOG.warn("GeoIP reload check of {} failed", path, e);
          }
        },
        ms,
        ms,
        TimeUnit.MILLISECONDS);
  }

  private void closeRetired(boolean all) {
    Instant now = clock.instant();
    retired.removeIf(
        r -> {
          if (all || !now.isBefore(r.closeAfter())) {
            r.db().close();
            return true;
          }
          return false;
        });
  }

  /** Number of replaced databases still open during their grace period. */
  synchronized int retiredCount() {
    return retired.size();
  }

  /** Closes the current and all retired databases; lookups fail afterwards. */
  @Override
  public synchronized void close() {
    closeRetired(true);
    current.get().close();
  }

  private static String describe(GeoIpDatabase db) {
    return db.databaseType()
        + " ("
        + db.kind()
        + ") from "
        + db.path()
        + ", built "
        + db.buildTime()
        + ", "
        + db.sizeBytes()
        + " bytes, sha256 "
        + db.sha256().substring(0, 12);
  }

  private static Signature signatureOrNull(Path path) {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      return new Signature(a.lastModifiedTime().toInstant(), a.size());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return new Signature(Instant.EPOCH, -1); // unreadable: let open() say why
    }
  }
}
