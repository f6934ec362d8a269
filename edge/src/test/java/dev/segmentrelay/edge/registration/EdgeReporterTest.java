package dev.segmentrelay.edge.registration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.SegmentEvents;
import dev.segmentrelay.common.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EdgeReporterTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final InProcessRegistry registry = new InProcessRegistry(clock);
  private final FakeCounters counters = new FakeCounters();
  private final ViewerCounter viewers = new ViewerCounter();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  /** Tasks for the registry thread, run when the test says. */
  private final Queue<Runnable> registryTasks = new ArrayDeque<>();

  private final Executor manualThread = registryTasks::add;

  private static final class FakeCounters implements EdgeReporter.Counters {
    double bytes;
    long hits;
    long lookups;

    @Override
    public double bytesOut() {
      return bytes;
    }

    @Override
    public long cacheHits() {
      return hits;
    }

    @Override
    public long cacheLookups() {
      return lookups;
    }
  }

  private static EdgeRecord identity() {
    return new EdgeRecord(
        "fra1-a",
        "http://203.0.113.7:8081",
        List.of("203.0.113.7"),
        "fra1",
        50.11,
        8.68,
        "DE",
        1000,
        10_000,
        EdgeState.STARTING,
        EdgeLoad.IDLE,
        T0,
        "",
        "http://203.0.113.7:9091");
  }

  private EdgeReporter reporter(EdgeDirectory directory, Executor thread) {
    return new EdgeReporter(
        identity(),
        directory,
        counters,
        viewers,
        draining::get,
        () -> "member-1",
        clock,
        thread,
        meters);
  }

  private EdgeReporter reporter() {
    return reporter(registry.edges(), Runnable::run);
  }

  private EdgeRecord entry() {
    Collection<EdgeRecord> all = registry.edges().entries();
    assertThat(all).hasSize(1);
    return all.iterator().next();
  }

  private double reports(String result) {
    return meters.get("relay_edge_registry_reports").tag("result", result).counter().count();
  }

  @Test
  void startsInStartingAndServesOnceListeningAndAnUpstreamAnswered() {
    EdgeReporter r = reporter();
    r.tick();
    assertThat(entry().state()).isEqualTo(EdgeState.STARTING);

    r.listening();
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().state()).as("listening but no upstream yet").isEqualTo(EdgeState.STARTING);

    r.upstreamReachable();
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().state()).isEqualTo(EdgeState.SERVING);
    assertThat(entry().memberId()).isEqualTo("member-1");
    assertThat(entry().reportedAt()).isEqualTo(T0.plusSeconds(2));
  }

  @Test
  void drainingWinsOverEveryOtherStateAndEndsWithTheSwitch() {
    EdgeReporter r = reporter();
    r.listening();
    r.upstreamReachable();
    draining.set(true);
    r.tick();
    assertThat(entry().state()).isEqualTo(EdgeState.DRAINING);
    draining.set(false);
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().state()).isEqualTo(EdgeState.SERVING);
  }

  @Test
  void egressIsBytesOverTheMeasuredInterval() {
    EdgeReporter r = reporter();
    counters.bytes = 1_250_000; // 10 Mbit in the first 2 s
    clock.advance(Duration.ofSeconds(2));
    r.tick();
    assertThat(entry().load().egressMbps()).isCloseTo(5.0, within(1e-9));

    counters.bytes += 125_000; // 1 Mbit in the next 0.5 s
    clock.advance(Duration.ofMillis(500));
    r.tick();
    assertThat(entry().load().egressMbps()).isCloseTo(2.0, within(1e-9));

    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().load().egressMbps()).as("nothing sent").isZero();
  }

  @Test
  void hitRatioCoversOnlyTheLastInterval() {
    EdgeReporter r = reporter();
    counters.hits = 90;
    counters.lookups = 100;
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().load().hitRatio()).isCloseTo(0.9, within(1e-9));

    counters.hits += 1;
    counters.lookups += 4;
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().load().hitRatio()).isCloseTo(0.25, within(1e-9));

    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().load().hitRatio()).as("no requests").isZero();
  }

  @Test
  void activeViewersAreTheDistinctAddressesOfTheLast30Seconds() {
    EdgeReporter r = reporter();
    for (int i = 0; i < 5; i++) {
      viewers.seen("198.51.100.1");
      viewers.seen("198.51.100.2");
      viewers.seen("2001:db8::7");
    }
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    assertThat(entry().load().activeViewers()).isEqualTo(3);

    for (int s = 0; s < 25; s++) {
      clock.advance(Duration.ofSeconds(1));
      viewers.seen("198.51.100.1");
      r.tick();
    }
    assertThat(entry().load().activeViewers()).as("26 s later, all three still count").isEqualTo(3);

    for (int s = 0; s < 15; s++) {
      clock.advance(Duration.ofSeconds(1));
      viewers.seen("198.51.100.1");
      r.tick();
    }
    assertThat(entry().load().activeViewers())
        .as("41 s later only the viewer who kept asking")
        .isEqualTo(1);
  }

  @Test
  void entriesLiveThreeSecondsWithoutAReport() {
    EdgeReporter r = reporter();
    r.tick();
    assertThat(EdgeReporter.TTL).isEqualTo(Duration.ofSeconds(3));
    assertThat(EdgeReporter.INTERVAL).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(2_900));
    registry.sweepEdges();
    assertThat(registry.edges().entries()).hasSize(1);
    clock.advance(Duration.ofMillis(200));
    registry.sweepEdges();
    assertThat(registry.edges().entries()).as("3.1 s without a report").isEmpty();
  }

  @Test
  void aSlowRegistryNeverHasMoreThanOneReportInFlight() {
    RecordingDirectory directory = new RecordingDirectory();
    EdgeReporter r = reporter(directory, manualThread);
    r.tick();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      r.tick();
    }
    assertThat(registryTasks).as("queued registry calls while the first hangs").hasSize(1);
    assertThat(reports("skipped")).isEqualTo(5);

    registryTasks.poll().run();
    assertThat(directory.reports).hasSize(1);
    assertThat(directory.ttls).containsExactly(Duration.ofSeconds(3));
    clock.advance(Duration.ofSeconds(1));
    r.tick();
    registryTasks.poll().run();
    assertThat(directory.reports).hasSize(2);
    assertThat(directory.reports.get(1).reportedAt()).isEqualTo(T0.plusSeconds(6));
    assertThat(reports("ok")).isEqualTo(2);
  }

  @Test
  void aFailingReportIsCountedAndTheNextOneStillGoesOut() {
    RecordingDirectory directory = new RecordingDirectory();
    directory.failNext = true;
    EdgeReporter r = reporter(directory, Runnable::run);
    r.tick();
    r.tick();
    assertThat(reports("failed")).isEqualTo(1);
    assertThat(directory.reports).hasSize(1);
    assertThat(r.lastReport()).contains(directory.reports.get(0));
  }

  @Test
  void closeRemovesTheEntryLastSoNoLateReportRecreatesIt() {
    RecordingDirectory directory = new RecordingDirectory();
    EdgeReporter r = reporter(directory, manualThread);
    r.tick();
    CompletableFuture<Void> closed = r.close();
    assertThat(closed).isNotDone();
    r.tick();
    while (!registryTasks.isEmpty()) {
      registryTasks.poll().run();
    }
    assertThat(closed).isDone();
    assertThat(directory.calls).containsExactly("remove fra1-a");
  }

  @Test
  void closeRemovesTheEntryFromTheRegistry() {
    EdgeReporter r = reporter();
    r.tick();
    assertThat(registry.edges().entries()).hasSize(1);
    r.close().join();
    assertThat(registry.edges().entries()).isEmpty();
  }

  @Test
  void resolvedAddressesAppearInTheNextReport() {
    EdgeReporter r = reporter();
    r.addresses(List.of("192.0.2.1", "2001:db8::1"));
    r.tick();
    assertThat(entry().addresses()).containsExactly("192.0.2.1", "2001:db8::1");
  }

  /** Records calls; can fail once. */
  private static final class RecordingDirectory implements EdgeDirectory {
    final List<EdgeRecord> reports = new ArrayList<>();
    final List<Duration> ttls = new ArrayList<>();
    final List<String> calls = new ArrayList<>();
    boolean failNext;

    @Override
    public void report(EdgeRecord record, Duration ttl) {
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("cluster unreachable");
      }
      calls.add("report " + record.id());
      reports.add(record);
      ttls.add(ttl);
    }

    @Override
    public void remove(String edgeId) {
      calls.add("remove " + edgeId);
    }

    @Override
    public Collection<EdgeRecord> entries() {
      return List.of();
    }

    @Override
    public SegmentEvents.Subscription watch(Listener listener) {
      return () -> {};
    }
  }
}
