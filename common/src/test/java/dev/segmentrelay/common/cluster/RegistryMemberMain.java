package dev.segmentrelay.common.cluster;

import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeLoad;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.EdgeState;
import dev.segmentrelay.common.registry.SegmentAvailable;
import dev.segmentrelay.common.registry.StreamRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry member for integration tests, run in its own JVM. Arguments are {@code key=value}:
 *
 * <ul>
 *   <li>{@code port=N} (required), {@code members=HOST:PORT,...}, {@code role=R}, {@code name=N}
 *   <li>{@code report=EDGE_ID} and {@code ttl=SECONDS}: report that edge every second
 *   <li>{@code publish=STREAM}: write a stream record and announce a segment every 500 ms
 *   <li>{@code watch=true}: print every change of the edges map
 *   <li>{@code subscribe=STREAM}: print the stream's announcements and its catalog entry changes
 * </ul>
 *
 * <p>It prints one event per line on stdout: {@code READY memberId}, {@code UPDATED id memberId},
 * {@code REMOVED id}, {@code SEGMENT stream path sequence}, {@code STREAM id state title}.
 */
public final class RegistryMemberMain {
  private RegistryMemberMain() {}

  /** The command line that runs this main in a fresh JVM with this JVM's class path. */
  public static List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-Dlogback.configurationFile=registry-member-logback.xml");
    command.addAll(HazelcastRegistry.JAVA_FLAGS);
    command.add("-cp");
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(RegistryMemberMain.class.getName());
    command.addAll(Arrays.asList(args));
    return command;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    String membersText = opts.getOrDefault("members", "");
    List<String> members =
        membersText.isEmpty() ? List.of() : Arrays.asList(membersText.split(","));
    ClusterConfig config =
        ClusterConfig.of("127.0.0.1", Integer.parseInt(opts.get("port")), members);
    HazelcastRegistry registry =
        HazelcastRegistry.join(
            config, opts.getOrDefault("role", "test"), opts.getOrDefault("name", "member"));
    Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
    print("READY " + registry.localMemberId());

    if (opts.containsKey("watch")) {
      registry
          .edges()
          .watch(
              new EdgeDirectory.Listener() {
                @Override
                public void updated(EdgeRecord record) {
                  print("UPDATED " + record.id() + " " + record.memberId());
                }

                @Override
                public void removed(String edgeId) {
                  print("REMOVED " + edgeId);
                }
              });
    }
    String subscribe = opts.get("subscribe");
    if (subscribe != null) {
      registry
          .segments()
          .subscribe(
              subscribe, e -> print("SEGMENT " + e.stream() + " " + e.path() + " " + e.sequence()));
      Thread catalog =
          new Thread(
              () -> {
                StreamRecord last = null;
                while (true) {
                  StreamRecord now = registry.streams().get(subscribe).orElse(null);
                  if (now != null && !now.equals(last)) {
                    print("STREAM " + now.id() + " " + now.state() + " " + now.title());
                  }
                  last = now;
                  sleep(200);
                }
              });
      catalog.setDaemon(true);
      catalog.start();
    }
    String edgeId = opts.get("report");
    Duration ttl = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("ttl", "5")));
    String stream = opts.get("publish");
    Instant started = Instant.now();
    long sequence = 0;
    while (true) {
      if (edgeId != null) {
        registry.edges().report(edge(edgeId, registry.localMemberId()), ttl);
      }
      if (stream != null) {
        registry
            .streams()
            .put(
                new StreamRecord(
                    stream, "title " + stream, "hls", List.of("r0/index.m3u8"), "live", started));
        for (int i = 0; i < 2; i++) {
          long n = sequence++;
          registry
              .segments()
              .announce(
                  new SegmentAvailable(
                      stream, "r0/index.m3u8", "r0/seg_" + n + ".ts", n, 0.5, 1000, Instant.now()));
          sleep(500);
        }
      } else {
        sleep(1000);
      }
    }
  }

  static EdgeRecord edge(String id, String memberId) {
    return new EdgeRecord(
        id,
        "http://127.0.0.1:1",
        List.of("127.0.0.1"),
        "test",
        50.1,
        8.7,
        "DE",
        1000,
        10_000,
        EdgeState.SERVING,
        EdgeLoad.IDLE,
        Instant.now(),
        memberId,
        "http://127.0.0.1:2");
  }

  private static void print(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
