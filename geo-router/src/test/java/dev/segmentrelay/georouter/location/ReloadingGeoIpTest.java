package dev.segmentrelay.georouter.location;

import static dev.segmentrelay.georouter.location.CidrTest.ip;
import static dev.segmentrelay.georouter.location.MmdbFiles.net;
import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingGeoIpTest {
  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  private Path tokyo() throws Exception {
    return MmdbFiles.write(
        dir, "tokyo.mmdb", MmdbFiles.city(net("192.0.2.0/24", "JP", "Tokyo", 35.68, 139.69)));
  }

  private Path bangkok() throws Exception {
    return MmdbFiles.write(
        dir, "bangkok.mmdb", MmdbFiles.city(net("192.0.2.0/24", "TH", "Bangkok", 13.75, 100.5)));
  }

  /** Replaces the live file the way an updater should (rename), with a distinct mtime. */
  private static void replace(Path live, Path with, int secondsLater) throws Exception {
    Path tmp = live.resolveSibling(live.getFileName() + ".tmp");
    Files.copy(with, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(
        tmp, FileTime.from(Files.getLastModifiedTime(live).toInstant().plusSeconds(secondsLater)));
    Files.move(tmp, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String city(ReloadingGeoIp g) {
    return g.locate(ip("192.0.2.1")).orElseThrow().city().orElseThrow();
  }

  @Test
  void unchangedFileIsNotReopened() throws Exception {
    Path live = Files.copy(tokyo(), dir.resolve("live.mmdb"));
    try (ReloadingGeoIp g = ReloadingGeoIp.open(live, clock, Duration.ofSeconds(10))) {
      GeoIpDatabase first = g.current();
      assertThat(g.lastReload().outcome()).isEqualTo(ReloadingGeoIp.Outcome.OPENED);
      assertThat(g.reloadIfChanged().outcome()).isEqualTo(ReloadingGeoIp.Outcome.UNCHANGED);
      assertThat(g.current()).isSameAs(first);
      assertThat(g.lastReload().outcome()).isEqualTo(ReloadingGeoIp.Outcome.OPENED);
    }
  }

  @Test
  void changedGoodFileIsSwappedInAndTheOldClosedAfterTheGrace() throws Exception {
    Path live = Files.copy(tokyo(), dir.resolve("live.mmdb"));
    try (ReloadingGeoIp g = ReloadingGeoIp.open(live, clock, Duration.ofSeconds(10))) {
      GeoIpDatabase old = g.current();
      assertThat(city(g)).isEqualTo("Tokyo");
      replace(live, bangkok(), 5);
      clock.advance(Duration.ofSeconds(1));
      ReloadingGeoIp.ReloadResult r = g.reloadIfChanged();
      assertThat(r.outcome()).isEqualTo(ReloadingGeoIp.Outcome.RELOADED);
      assertThat(r.at()).isEqualTo(clock.instant());
      assertThat(g.lastReload()).isEqualTo(r);
      assertThat(g.reloadCount()).isEqualTo(1);
      assertThat(city(g)).isEqualTo("Bangkok");
      // an in-flight lookup still holding the old database keeps working during the grace
      assertThat(old.locate(ip("192.0.2.1")).orElseThrow().city()).contains("Tokyo");
      assertThat(g.retiredCount()).isEqualTo(1);
      clock.advance(Duration.ofSeconds(10));
      g.reloadIfChanged();
      assertThat(g.retiredCount()).isZero();
    }
  }

  @Test
  void corruptNewFileKeepsTheOldDatabaseAndRecordsTheFailure() throws Exception {
    Path live = Files.copy(tokyo(), dir.resolve("live.mmdb"));
    try (ReloadingGeoIp g = ReloadingGeoIp.open(live, clock, Duration.ofSeconds(10))) {
      GeoIpDatabase before = g.current();
      Path corrupt = Files.write(dir.resolve("corrupt.mmdb"), new byte[4096]);
      replace(live, corrupt, 5);
      ReloadingGeoIp.ReloadResult r = g.reloadIfChanged();
      assertThat(r.outcome()).isEqualTo(ReloadingGeoIp.Outcome.FAILED);
      assertThat(r.message()).contains(live.toString()).contains("still serving");
      assertThat(g.lastReload()).isEqualTo(r);
      assertThat(g.failureCount()).isEqualTo(1);
      assertThat(g.current()).isSameAs(before);
      assertThat(city(g)).isEqualTo("Tokyo");
      // not retried (nor counted again) until the file changes
      assertThat(g.reloadIfChanged().outcome()).isEqualTo(ReloadingGeoIp.Outcome.UNCHANGED);
      assertThat(g.failureCount()).isEqualTo(1);
      // a good file afterwards is taken
      replace(live, bangkok(), 10);
      assertThat(g.reloadIfChanged().outcome()).isEqualTo(ReloadingGeoIp.Outcome.RELOADED);
      assertThat(city(g)).isEqualTo("Bangkok");
    }
  }

  @Test
  void deletedFileKeepsTheOldDatabase() throws Exception {
    Path live = Files.copy(tokyo(), dir.resolve("live.mmdb"));
    try (ReloadingGeoIp g = ReloadingGeoIp.open(live, clock, Duration.ofSeconds(10))) {
      Files.delete(live);
      assertThat(g.reloadIfChanged().outcome()).isEqualTo(ReloadingGeoIp.Outcome.FAILED);
      assertThat(g.lastReload().message()).contains("is gone");
      assertThat(city(g)).isEqualTo("Tokyo");
    }
  }

  @Test
  void touchedFileWithTheSameBytesIsNotSwapped() throws Exception {
    Path live = Files.copy(tokyo(), dir.resolve("live.mmdb"));
    try (ReloadingGeoIp g = ReloadingGeoIp.open(live, clock, Duration.ofSeconds(10))) {
      GeoIpDatabase before = g.current();
      Files.setLastModifiedTime(
          live, FileTime.from(Files.getLastModifiedTime(live).toInstant().plusSeconds(60)));
      assertThat(g.reloadIfChanged().outcome()).isEqualTo(ReloadingGeoIp.Outcome.UNCHANGED);
      assertThat(g.current()).isSameAs(before);
    }
  }
}
