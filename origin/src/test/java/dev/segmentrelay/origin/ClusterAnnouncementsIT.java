package dev.segmentrelay.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.cluster.ClusterConfig;
import dev.segmentrelay.common.cluster.HazelcastRegistry;
import dev.segmentrelay.common.cluster.RegistryMemberMain;
import dev.segmentrelay.common.testing.FakeLiveSource;
import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.HttpTestClient;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.ManagedProcess;
import dev.segmentrelay.common.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An origin whose registry is a Hazelcast cluster: its stream record and its segment announcements
 * reach a member in another JVM ({@link RegistryMemberMain}, which prints what it receives), and
 * every announced path is a segment the origin serves.
 */
class ClusterAnnouncementsIT {
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void catalogEntriesAndSegmentAnnouncementsReachAnotherJvm() throws Exception {
    Path work = ItWorkDirs.freshDirectory(ClusterAnnouncementsIT.class);
    int originPort = FreePorts.find();
    int watcherPort = FreePorts.find();
    HttpTestClient http = new HttpTestClient();
    try (FakeLiveSource source = FakeLiveSource.start(1, Duration.ofMillis(500), 4 * 1024, 6);
        HazelcastRegistry registry =
            HazelcastRegistry.join(
                ClusterConfig.of("127.0.0.1", originPort, List.of("127.0.0.1:" + watcherPort)),
                "origin",
                "it");
        ManagedProcess watcher =
            ManagedProcess.start(
                "watcher",
                RegistryMemberMain.command(
                    "port=" + watcherPort,
                    "members=127.0.0.1:" + originPort,
                    "role=edge",
                    "name=watcher",
                    "subscribe=room1"),
                work)) {
      Waits.until(
          "the watcher joining",
          Duration.ofSeconds(40),
          () -> lines(watcher).stream().anyMatch(l -> l.startsWith("READY ")));
      Waits.until("two members", Duration.ofSeconds(20), () -> registry.memberCount() == 2);

      OriginConfig config =
          OriginHarness.testConfig(
              List.of(OriginHarness.pull("room1", source.mediaPlaylistUrl(0))),
              List.of(),
              Optional.of(Duration.ofMillis(200)));
      RunningOrigin origin =
          Waits.await(
              "origin to start", Duration.ofSeconds(30), OriginMain.start(config, registry));
      try {
        List<String> announced =
            Waits.value(
                "three announcements of room1 in the other JVM",
                Duration.ofSeconds(30),
                () -> {
                  List<String> segments =
                      lines(watcher).stream().filter(l -> l.startsWith("SEGMENT room1 ")).toList();
                  return segments.size() >= 3 ? Optional.of(segments) : Optional.empty();
                });
        Waits.until(
            "room1's catalog entry, live, in the other JVM",
            Duration.ofSeconds(20),
            () -> lines(watcher).contains("STREAM room1 live room1"));
        for (String line : announced.subList(0, 3)) {
          String path = line.split(" ")[2];
          assertThat(http.get("http://127.0.0.1:" + origin.port() + "/live/room1/" + path).status())
              .as("the origin serves announced %s", path)
              .isEqualTo(200);
        }
      } finally {
        Waits.await("origin to stop", Duration.ofSeconds(30), origin.close());
      }
    }
  }

  private static List<String> lines(ManagedProcess p) throws java.io.IOException {
    return Files.exists(p.stdoutFile()) ? Files.readAllLines(p.stdoutFile()) : List.of();
  }
}
