package dev.segmentrelay.edge.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.SegmentEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SegmentPrefetcherTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final InProcessRegistry registry = new InProcessRegistry();
  private final CountingEvents events = new CountingEvents(registry.segments());
  private final FakeWarmer warmer = new FakeWarmer();
  private final Queue<Runnable> registryTasks = new ArrayDeque<>();
  private final Queue<Runnable> loopTasks = new ArrayDeque<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SegmentPrefetcher prefetcher =
      new SegmentPrefetcher(
          events, warmer, registryTasks::add, loopTasks::add, nanos::get, 2, meters);

  /** Segment announcements counted by subscription. */
  private static final class CountingEvents implements SegmentEvents {
    final SegmentEvents delegate;
    final List<String> subscribed = new ArrayList<>();
    final List<String> unsubscribed = new ArrayList<>();

    CountingEvents(SegmentEvents delegate) {
      this.delegate = delegate;
    }

    @Override
    public void announce(SegmentAvailable event) {
      delegate.announce(event);
    }

    @Override
    public Subscription subscribe(String streamId, Consumer<SegmentAvailable> listener) {
      subscribed.add(streamId);
      Subscription s = delegate.subscribe(streamId, listener);
      return () -> {
        unsubscribed.add(streamId);
        s.close();
      };
    }
  }

  /** Warm-ups that stay open until the test ends them. */
  private static final class FakeWarmer implements CacheWarmer {
    final Set<String> cached = new HashSet<>();
    final Map<String, Consumer<Outcome>> running = new LinkedHashMap<>();

    @Override
    public boolean cached(String key) {
      return cached.contains(key);
    }

    @Override
    public void warm(MediaPath media, Consumer<Outcome> done) {
      running.put(media.urlPath(), done);
    }

    void finish(String key, Outcome outcome) {
      if (outcome == Outcome.FETCHED) {
        cached.add(key);
      }
      running.remove(key).accept(outcome);
    }
  }

  private void runRegistryThread() {
    while (!registryTasks.isEmpty()) {
      registryTasks.poll().run();
    }
  }

  private void runLoop() {
    while (!loopTasks.isEmpty()) {
      loopTasks.poll().run();
    }
  }

  private void announce(String stream, String path) {
    registry
        .segments()
        .announce(new SegmentAvailable(stream, "v0/index.m3u8", path, 1, 2.0, 1000, Instant.now()));
  }

  private double count(String result) {
    return meters.get("relay_edge_prefetch").tag("result", result).counter().count();
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void nothingIsSubscribedOrFetchedWithoutViewers() {
    announce("room1", "v0/e1-1-seg1.ts");
    runRegistryThread();
    runLoop();
    assertThat(events.subscribed).isEmpty();
    assertThat(warmer.running).isEmpty();
  }

  @Test
  void aViewerSubscribesItsStreamOnceOnTheRegistryThread() {
    for (int i = 0; i < 100; i++) {
      prefetcher.viewed("room1");
    }
    assertThat(events.subscribed).as("before the registry thread ran").isEmpty();
    runRegistryThread();
    assertThat(events.subscribed).containsExactly("room1");
    assertThat(prefetcher.streams()).containsExactly("room1");

    announce("room1", "v0/e1-1-seg1.ts");
    assertThat(warmer.running).as("before the event loop ran").isEmpty();
    runLoop();
    assertThat(warmer.running).containsOnlyKeys("/live/room1/v0/e1-1-seg1.ts");
    warmer.finish("/live/room1/v0/e1-1-seg1.ts", CacheWarmer.Outcome.FETCHED);
    assertThat(count("fetched")).isEqualTo(1);
    assertThat(prefetcher.inFlight()).isZero();

    announce("room2", "v0/e1-1-seg1.ts");
    runLoop();
    assertThat(warmer.running).as("another stream nobody watches").isEmpty();
  }

  @Test
  void aStreamNobodyAskedForInThirtySecondsIsUnsubscribed() {
    prefetcher.viewed("room1");
    runRegistryThread();
    advance(Duration.ofSeconds(20));
    prefetcher.viewed("room1");
    advance(Duration.ofSeconds(20));
    prefetcher.sweep();
    runRegistryThread();
    assertThat(events.unsubscribed).as("20 s after the last request").isEmpty();

    advance(Duration.ofSeconds(11));
    prefetcher.sweep();
    runRegistryThread();
    assertThat(events.unsubscribed).containsExactly("room1");
    assertThat(prefetcher.streams()).isEmpty();
    announce("room1", "v0/e1-2-seg2.ts");
    runLoop();
    assertThat(warmer.running).isEmpty();

    prefetcher.viewed("room1");
    runRegistryThread();
    assertThat(events.subscribed).as("a new viewer subscribes again").hasSize(2);
  }

  @Test
  void segmentsAlreadyCachedAreNotFetched() {
    prefetcher.viewed("room1");
    runRegistryThread();
    warmer.cached.add("/live/room1/v0/e1-1-seg1.ts");
    announce("room1", "v0/e1-1-seg1.ts");
    runLoop();
    assertThat(warmer.running).isEmpty();
    assertThat(count("cached")).isEqualTo(1);
  }

  @Test
  void beyondTheInFlightLimitAnnouncementsAreDropped() {
    prefetcher.viewed("room1");
    runRegistryThread();
    announce("room1", "v0/e1-1-a.ts");
    announce("room1", "v0/e1-2-b.ts");
    announce("room1", "v0/e1-3-c.ts");
    runLoop();
    assertThat(warmer.running).hasSize(2);
    assertThat(count("dropped")).isEqualTo(1);

    warmer.finish("/live/room1/v0/e1-1-a.ts", CacheWarmer.Outcome.FAILED);
    assertThat(count("failed")).isEqualTo(1);
    announce("room1", "v0/e1-4-d.ts");
    runLoop();
    assertThat(warmer.running).as("a slot freed").hasSize(2);
    assertThat(count("dropped")).isEqualTo(1);
  }

  @Test
  void unsafeAnnouncedPathsAreNeverFetched() {
    prefetcher.viewed("room1");
    runRegistryThread();
    announce("room1", "../../etc/passwd.ts");
    runLoop();
    assertThat(warmer.running).isEmpty();
    assertThat(count("failed")).isEqualTo(1);
  }

  @Test
  void inventedStreamNamesCannotGrowTheSubscriptionsWithoutBound() {
    for (int i = 0; i < SegmentPrefetcher.MAX_STREAMS + 100; i++) {
      prefetcher.viewed("made-up-" + i);
    }
    runRegistryThread();
    assertThat(events.subscribed).hasSize(SegmentPrefetcher.MAX_STREAMS);
    advance(Duration.ofSeconds(31));
    prefetcher.sweep();
    runRegistryThread();
    prefetcher.viewed("room1");
    runRegistryThread();
    assertThat(events.subscribed).as("after the idle ones were swept").contains("room1");
  }

  @Test
  void closeEndsEverySubscription() {
    prefetcher.viewed("room1");
    prefetcher.viewed("room2");
    runRegistryThread();
    var closed = prefetcher.close();
    runRegistryThread();
    assertThat(closed).isDone();
    assertThat(events.unsubscribed).containsExactlyInAnyOrder("room1", "room2");
    prefetcher.viewed("room3");
    runRegistryThread();
    assertThat(events.subscribed).doesNotContain("room3");
  }
}
