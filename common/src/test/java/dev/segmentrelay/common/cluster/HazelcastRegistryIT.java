package dev.segmentrelay.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.SegmentEvents;
import dev.segmentrelay.common.testing.FreePorts;
import dev.segmentrelay.common.testing.ItWorkDirs;
import dev.segmentrelay.common.testing.ManagedProcess;
import dev.segmentrelay.common.testing.Waits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registry across JVMs: this test JVM is one member (the watcher, as a router would be), {@link
 * RegistryMemberMain} children are the others (an edge reporting itself, an origin announcing). The
 * children report with a 30 s time to live, so an entry that vanishes within seconds of a {@code
 * kill -9} or {@code SIGSTOP} can only have gone through the membership listener. Measured times
 * are printed ({@code [cluster-figures]}) and recorded in docs/benchmarks.md.
 */
class HazelcastRegistryIT {
  private static Path work;

  @BeforeAll
  static void workDir() {
    work = ItWorkDirs.freshDirectory(HazelcastRegistryIT.class);
  }

  /** Watcher events with the time they arrived. */
  private record Event(String kind, String edgeId, String memberId, long nanos) {}

  private static EdgeDirectory.Listener into(BlockingQueue<Event> events) {
    return new EdgeDirectory.Listener() {
      @Override
      public void updated(EdgeRecord record) {
        events.add(new Event("updated", record.id(), record.memberId(), System.nanoTime()));
      }

      @Override
      public void removed(String edgeId) {
        events.add(new Event("removed", edgeId, "", System.nanoTime()));
      }
    };
  }

  private static Event next(BlockingQueue<Event> events, String kind, String edgeId, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        throw new AssertionError("no '" + kind + "' of " + edgeId + " within " + max);
      }
      if (e.kind().equals(kind) && e.edgeId().equals(edgeId)) {
        return e;
      }
    }
  }

  private static ManagedProcess member(String name, int port, int seedPort, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "port=" + port;
    all[1] = "members=127.0.0.1:" + seedPort;
    System.arraycopy(args, 0, all, 2, args.length);
    return ManagedProcess.start(name, RegistryMemberMain.command(all), work);
  }

  /** The member id the child printed once it had joined. */
  private static String awaitReady(ManagedProcess child) {
    return Waits.value(
        child + " joining the cluster",
        Duration.ofSeconds(40),
        () -> {
          if (!child.isAlive()) {
            throw new IllegalStateException(child + " exited: " + child.stderrTail(30));
          }
          return stdoutLines(child).stream()
              .filter(l -> l.startsWith("READY "))
              .map(l -> l.substring(6))
              .findFirst();
        });
  }

  private static List<String> stdoutLines(ManagedProcess child) throws IOException {
    return Files.exists(child.stdoutFile()) ? Files.readAllLines(child.stdoutFile()) : List.of();
  }

  private static HazelcastRegistry localMember(int port, int childPort) {
    return HazelcastRegistry.join(
        ClusterConfig.of("127.0.0.1", port, List.of("127.0.0.1:" + childPort)), "router", "it");
  }

  private static void signal(ManagedProcess child, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long millisSince(long nanos, Event e) {
    return TimeUnit.NANOSECONDS.toMillis(e.nanos() - nanos);
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void entriesStreamsAndSegmentsCrossJvmsAndAKilledMembersEdgeVanishesAtOnce() throws Exception {
    int localPort = FreePorts.find();
    int childPort = FreePorts.find();
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    BlockingQueue<SegmentAvailable> segments = new LinkedBlockingQueue<>();
    try (HazelcastRegistry local = localMember(localPort, childPort);
        ManagedProcess child =
            member(
                "edge-a",
                childPort,
                localPort,
                "role=edge",
                "name=edge-a",
                "report=edge-a",
                "ttl=30",
                "publish=room1",
                "subscribe=room2")) {
      local.edges().watch(into(events));
      SegmentEvents.Subscription subscription = local.segments().subscribe("room1", segments::add);
      String childMember = awaitReady(child);

      // An entry written in the child's JVM arrives here, stamped with the child's member id.
      Event seen = next(events, "updated", "edge-a", Duration.ofSeconds(20));
      assertThat(seen.memberId()).isEqualTo(childMember);
      assertThat(local.edges().entries()).extracting(EdgeRecord::id).contains("edge-a");

      // The child's stream record and segment announcements arrive here...
      Waits.until(
          "room1 in the catalog",
          Duration.ofSeconds(20),
          () -> local.streams().get("room1").isPresent());
      assertThat(local.streams().get("room1").orElseThrow().title()).isEqualTo("title room1");
      SegmentAvailable segment = segments.poll(20, TimeUnit.SECONDS);
      assertThat(segment).isNotNull();
      assertThat(segment.stream()).isEqualTo("room1");
      assertThat(segment.path()).startsWith("r0/seg_");
      subscription.close();

      // ...and announcements made here reach the child.
      Waits.until(
          "the child printing a room2 announcement",
          Duration.ofSeconds(20),
          () -> {
            local
                .segments()
                .announce(
                    new SegmentAvailable(
                        "room2", "r0/index.m3u8", "r0/x.ts", 7, 2, 100, Instant.now()));
            return stdoutLines(child).contains("SEGMENT room2 r0/x.ts 7");
          });

      // An entry whose reports stop expires by its time to live.
      local
          .edges()
          .report(
              RegistryMemberMain.edge("edge-local", local.localMemberId()),
              Duration.ofMillis(1500));
      next(events, "updated", "edge-local", Duration.ofSeconds(10));
      next(events, "removed", "edge-local", Duration.ofSeconds(15));

      // kill -9: the edge leaves with its member, long before its 30 s time to live.
      events.clear();
      long killed = System.nanoTime();
      child.kill();
      Event removed = next(events, "removed", "edge-a", Duration.ofSeconds(10));
      long millis = millisSince(killed, removed);
      System.out.println(
          "[cluster-figures] kill -9 of an edge member -> removed after " + millis + " ms");
      assertThat(millis).as("ms from kill -9 to removal").isLessThan(2_000);
      assertThat(local.edges().entries()).extracting(EdgeRecord::id).doesNotContain("edge-a");
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aFrozenMembersEdgeIsRemovedWithinTheHeartbeatTimeoutAndReturnsAfterItResumes()
      throws Exception {
    int localPort = FreePorts.find();
    int childPort = FreePorts.find();
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    ManagedProcess child = null;
    try (HazelcastRegistry local = localMember(localPort, childPort)) {
      child =
          member(
              "edge-b",
              childPort,
              localPort,
              "role=edge",
              "name=edge-b",
              "report=edge-b",
              "ttl=30");
      local.edges().watch(into(events));
      String childMember = awaitReady(child);
      assertThat(next(events, "updated", "edge-b", Duration.ofSeconds(20)).memberId())
          .isEqualTo(childMember);

      long stopped = System.nanoTime();
      signal(child, "STOP");
      Event removed = next(events, "removed", "edge-b", Duration.ofSeconds(15));
      long frozenMillis = millisSince(stopped, removed);

      long resumed = System.nanoTime();
      signal(child, "CONT");
      Event back = next(events, "updated", "edge-b", Duration.ofSeconds(30));
      long backMillis = millisSince(resumed, back);
      System.out.println(
          "[cluster-figures] SIGSTOP of an edge member -> removed after "
              + frozenMillis
              + " ms; after SIGCONT -> back after "
              + backMillis
              + " ms (member id "
              + (back.memberId().equals(childMember) ? "kept" : "new after the merge")
              + ")");
      assertThat(frozenMillis).as("ms from SIGSTOP to removal").isLessThan(6_000);
      assertThat(local.edges().entries()).extracting(EdgeRecord::id).contains("edge-b");
    } finally {
      if (child != null) {
        signal(child, "CONT");
        child.kill();
      }
    }
  }
}
