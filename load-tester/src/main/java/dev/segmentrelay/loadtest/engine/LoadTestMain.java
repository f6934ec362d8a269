package dev.segmentrelay.loadtest.engine;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load tester's composition root: Netty event loops (epoll where available, {@link
 * #defaultEventLoops}), the viewers spread over the loops round robin, started and stopped on the
 * {@link LoadPlan}'s schedule by the calling thread, with drills, console progress and
 * self-monitoring.
 *
 * <p><b>Threads.</b> The calling thread only schedules: it sleeps until the next start, stop, drill
 * or progress tick and posts the work to the viewer's event loop, so a viewer is started, played
 * and stopped on one thread. Each loop has its own pooled {@link Http1Client} (connections live on
 * that loop: no hops) and its lag probe. Drills run on their own threads.
 *
 * <p><b>Bounds.</b> Every run ends: viewers are stopped at the plan's end, and whatever is still
 * open after the grace period is abandoned (the hard deadline).
 */
public final class LoadTestMain {
  private static final Logger log = LoggerFactory.getLogger(LoadTestMain.class);

  private LoadTestMain() {}

  /** Viewers one event loop takes by default before another loop is added. */
  static final int VIEWERS_PER_LOOP = 5_000;

  /**
   * Default event loops for {@code peakViewers}: one per {@link #VIEWERS_PER_LOOP} viewers, at
   * least one, at most one per core. Fewer, busier loops cost less CPU per request than a loop per
   * core: each wake-up of a loop (a context switch) handles more ready connections and timers
   * (3,000 viewers on one loop instead of two: 27% less CPU per segment, docs/benchmarks.md).
   */
  public static int defaultEventLoops(int peakViewers) {
    return defaultEventLoops(peakViewers, Runtime.getRuntime().availableProcessors());
  }

  static int defaultEventLoops(int peakViewers, int cores) {
    int wanted = (int) ((Math.max(1L, peakViewers) + VIEWERS_PER_LOOP - 1) / VIEWERS_PER_LOOP);
    return Math.max(1, Math.min(cores, wanted));
  }

  /**
   * Runs the load test to its end.
   *
   * @param viewers makes each virtual viewer (the player model, wired by the caller)
   * @param progress live figures for the console
   * @param listener the results side: told of the start, ticks, drills and the end
   * @param console where progress lines go, one per interval
   * @return the exit code {@link RunListener#finished} chose
   */
  public static int run(
      LoadTestConfig config,
      ViewerFactory viewers,
      ProgressSource progress,
      RunListener listener,
      PrintWriter console) {
    return new Run(config, viewers, progress, listener, console).execute();
  }

  /** One event loop's share: the loop, its HTTP client and its clock. */
  private static final class Loop {
    final EventLoop eventLoop;
    final Http1Client client;
    final EventLoopScheduler scheduler;

    Loop(EventLoop eventLoop, Http1Client client) {
      this.eventLoop = eventLoop;
      this.client = client;
      this.scheduler = new EventLoopScheduler(eventLoop);
    }
  }

  private static final class Run {
    private final LoadTestConfig config;
    private final ViewerFactory factory;
    private final ProgressSource progress;
    private final RunListener listener;
    private final PrintWriter console;
    private final LoadPlan plan;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger failedStarts = new AtomicInteger();
    private final List<DrillRecord> drills = new CopyOnWriteArrayList<>();
    private final List<Thread> drillThreads = new ArrayList<>();
    private final List<String> regionCodes = new ArrayList<>();
    private AtomicIntegerArray activeByRegion;
    private int peak;

    Run(
        LoadTestConfig config,
        ViewerFactory factory,
        ProgressSource progress,
        RunListener listener,
        PrintWriter console) {
      this.config = config;
      this.factory = factory;
      this.progress = progress;
      this.listener = listener;
      this.console = console;
      this.plan = config.plan();
    }

    int execute() {
      int total = plan.viewers();
      // Placements first, in index order, so every prefix of the viewers has the region mix.
      config.regions().regions().forEach(r -> regionCodes.add(r.code()));
      activeByRegion = new AtomicIntegerArray(regionCodes.size());
      byte[] regionOf = new byte[total];
      String[] addressOf = new String[total];
      for (int i = 0; i < total; i++) {
        RegionMix.Placement p = config.regions().next();
        regionOf[i] = (byte) regionCodes.indexOf(p.region());
        addressOf[i] = p.clientAddress().orElse(null);
      }
      int loopCount = config.eventLoops();
      boolean epoll = Epoll.isAvailable();
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              loopCount,
              new DefaultThreadFactory("loadtest-loop", true),
              epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
      Class<? extends Channel> channelType =
          epoll ? EpollSocketChannel.class : NioSocketChannel.class;
      List<Loop> loops = new ArrayList<>();
      SelfMonitor self = SelfMonitor.forThisProcess();
      try {
        int perLoop = (total + loopCount - 1) / loopCount;
        int perOrigin = config.connectionsPerHost() > 0 ? config.connectionsPerHost() : perLoop;
        int connectTimeout = (int) Math.min(config.fetch().requestTimeout().toMillis(), 10_000);
        for (EventExecutor executor : group) {
          EventLoop loop = (EventLoop) executor;
          loops.add(
              new Loop(loop, new Http1Client(loop, channelType, perOrigin, connectTimeout, null)));
          self.probe(loop);
        }
        console.printf(
            Locale.ROOT,
            "relay loadtest: %d viewers%s against %s on %d event loops (%s); ramp %s, hold %s,"
                + " ramp down %s%n",
            plan.baseViewers(),
            total > plan.baseViewers() ? " + " + (total - plan.baseViewers()) + " in spikes" : "",
            config.url(),
            loopCount,
            epoll ? "epoll" : "nio",
            seconds(config.ramp()),
            seconds(config.duration()),
            seconds(config.rampDown()));
        console.flush();
        long baseline = config.measureHeap() ? SelfMonitor.usedHeapAfterGc() : 0;
        return schedule(loops, regionOf, addressOf, self, baseline);
      } finally {
        loops.forEach(
            l ->
                l.eventLoop.execute(
                    () -> {
                      l.client.close();
                      l.scheduler.close();
                    }));
        long graceMillis = config.grace().toMillis();
        if (!group
            .shutdownGracefully(0, graceMillis, TimeUnit.MILLISECONDS)
            .awaitUninterruptibly(graceMillis + 1000)) {
          log.warn("event loops did not stop within {}: abandoning them", config.grace());
        }
      }
    }

    private int schedule(
        List<Loop> loops, byte[] regionOf, String[] addressOf, SelfMonitor self, long baseline) {
      int total = plan.viewers();
      Viewer[] running = new Viewer[total];
      long[] starts = order(total, true);
      long[] stops = order(total, false);
      List<Drill> drillPlan = new ArrayList<>(config.drills());
      drillPlan.sort((a, b) -> a.at().compareTo(b.at()));
      DrillRunner drillRunner =
          new DrillRunner(config.routerBase(), config.edgeAdminToken(), config.drillCommand());
      long interval = config.progressInterval().toMillis();
      long t0Nanos = System.nanoTime();
      long t0Millis = t0Nanos / 1_000_000;
      listener.started(plan, t0Millis);
      int nextStart = 0;
      int nextStop = 0;
      int nextDrill = 0;
      long nextTick = interval;
      long heapAt = config.measureHeap() ? plan.peakMeasureMillis() : Long.MAX_VALUE;
      OptionalLong heapPerViewer = OptionalLong.empty();
      ProgressSnapshot before = progress.snapshot();
      long beforeAt = 0;
      long endAt = plan.endMillis();
      while (true) {
        long now = (System.nanoTime() - t0Nanos) / 1_000_000;
        while (nextStart < total && (starts[nextStart] >>> 20) <= now) {
          int i = (int) (starts[nextStart++] & 0xFFFFF);
          start(i, loops.get(i % loops.size()), running, regionOf[i], addressOf[i]);
        }
        while (nextStop < total && (stops[nextStop] >>> 20) <= now) {
          int i = (int) (stops[nextStop++] & 0xFFFFF);
          stop(i, loops.get(i % loops.size()), running, regionOf[i]);
        }
        while (nextDrill < drillPlan.size() && drillPlan.get(nextDrill).at().toMillis() <= now) {
          Drill drill = drillPlan.get(nextDrill++);
          Thread thread =
              new Thread(
                  () -> {
                    DrillRecord done = drillRunner.run(drill, t0Millis);
                    drills.add(done);
                    console.printf(
                        Locale.ROOT,
                        "drill %s at %.1f s: %s (%s)%n",
                        drill,
                        done.offsetMillis() / 1000.0,
                        done.ok() ? "done" : "FAILED",
                        done.detail());
                    console.flush();
                    listener.drill(done);
                  },
                  "loadtest-drill-" + drill.edge());
          thread.setDaemon(true);
          thread.start();
          drillThreads.add(thread);
        }
        if (now >= heapAt) {
          heapAt = Long.MAX_VALUE;
          int viewersNow = active.get();
          heapPerViewer =
              SelfMonitor.perViewer(baseline, SelfMonitor.usedHeapAfterGc(), viewersNow);
          peak = Math.max(peak, viewersNow);
        }
        if (now >= nextTick) {
          nextTick += interval;
          int activeNow = active.get();
          peak = Math.max(peak, activeNow);
          ProgressSnapshot snap = progress.snapshot();
          SelfMonitor.Tick tick = self.tick();
          console.println(
              ConsoleProgress.line(
                  now,
                  activeNow,
                  total,
                  snap,
                  before,
                  (now - beforeAt) / 1000.0,
                  activeByRegion(),
                  tick));
          console.flush();
          before = snap;
          beforeAt = now;
          listener.tick(now, activeNow);
        }
        if (nextStart >= total && nextStop >= total && now >= endAt) {
          break;
        }
        long wake = Math.min(nextTick, endAt);
        if (nextStart < total) {
          wake = Math.min(wake, starts[nextStart] >>> 20);
        }
        if (nextStop < total) {
          wake = Math.min(wake, stops[nextStop] >>> 20);
        }
        if (nextDrill < drillPlan.size()) {
          wake = Math.min(wake, drillPlan.get(nextDrill).at().toMillis());
        }
        wake = Math.min(wake, heapAt);
        if (wake > now) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wake - now));
        }
      }
      long deadline = System.nanoTime() + config.grace().toNanos();
      while (active.get() > 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
      if (active.get() > 0) {
        console.printf(
            "relay loadtest: %d viewers did not stop within the grace period%n", active.get());
      }
      for (Thread t : drillThreads) {
        try {
          t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      long duration = (System.nanoTime() - t0Nanos) / 1_000_000;
      self.tick();
      RunSummary summary =
          new RunSummary(
              total,
              Math.min(total, startedCount(nextStart)),
              failedStarts.get(),
              peak,
              duration,
              self.cpuPercentMean(),
              self.cpuPercentMax(),
              self.cpuSeconds(),
              self.runLagP99Millis(),
              self.runLagMaxMillis(),
              self.runLagP99Millis() > RunSummary.BOTTLENECK_LAG_MILLIS,
              heapPerViewer,
              loops.size(),
              drills);
      printSummary(summary);
      return listener.finished(summary);
    }

    private int startedCount(int dispatched) {
      return dispatched - failedStarts.get();
    }

    private void start(int i, Loop loop, Viewer[] running, byte region, String address) {
      ViewerSlot slot =
          new ViewerSlot(
              i,
              regionCodes.get(region),
              Optional.ofNullable(address),
              config.url().toString(),
              loop.scheduler,
              new Http1Fetcher(loop.client, config.fetch(), Optional.ofNullable(address)));
      loop.eventLoop.execute(
          () -> {
            try {
              running[i] = factory.start(slot);
              active.incrementAndGet();
              activeByRegion.incrementAndGet(region);
            } catch (RuntimeException e) {
              failedStarts.incrementAndGet();
              log.warn("viewer {} failed to start", i, e);
            }
          });
    }

    private void stop(int i, Loop loop, Viewer[] running, byte region) {
      loop.eventLoop.execute(
          () -> {
            Viewer viewer = running[i];
            if (viewer == null) {
              return;
            }
            running[i] = null;
            try {
              viewer.stop();
            } catch (RuntimeException e) {
              log.warn("viewer {} failed to stop", i, e);
            } finally {
              active.decrementAndGet();
              activeByRegion.decrementAndGet(region);
            }
          });
    }

    private Map<String, Integer> activeByRegion() {
      Map<String, Integer> m = new LinkedHashMap<>();
      for (int r = 0; r < regionCodes.size(); r++) {
        m.put(regionCodes.get(r), activeByRegion.get(r));
      }
      return m;
    }

    /** Viewer indices sorted by start (or stop) time, packed as {@code time << 20 | index}. */
    private long[] order(int total, boolean byStart) {
      long[] keys = new long[total];
      for (int i = 0; i < total; i++) {
        long t = byStart ? plan.startMillis(i) : plan.stopMillis(i);
        keys[i] = (t << 20) | i;
      }
      Arrays.sort(keys);
      return keys;
    }

    private void printSummary(RunSummary s) {
      console.printf(
          Locale.ROOT,
          "relay loadtest: done in %.1f s: %d viewers started (peak %d), %d failed to start%n",
          s.durationMillis() / 1000.0,
          s.startedViewers(),
          s.peakViewers(),
          s.failedStarts());
      console.printf(
          Locale.ROOT,
          "  load tester itself: cpu mean %.0f%% max %.0f%% of %d cores (%.1f s), event-loop lag"
              + " p99 %.1f ms max %.1f ms%s%n",
          s.cpuPercentMean(),
          s.cpuPercentMax(),
          Runtime.getRuntime().availableProcessors(),
          s.cpuSeconds(),
          s.loopLagP99Millis(),
          s.loopLagMaxMillis(),
          s.heapPerViewerBytes().isPresent()
              ? String.format(
                  Locale.ROOT,
                  ", heap per viewer %.1f KB",
                  s.heapPerViewerBytes().getAsLong() / 1024.0)
              : "");
      if (s.bottleneck()) {
        console.printf(
            Locale.ROOT,
            "WARNING: event-loop lag p99 %.0f ms over the run: the load tester itself was the"
                + " bottleneck, so its download times and stalls are pessimistic%n",
            s.loopLagP99Millis());
      }
      console.flush();
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
