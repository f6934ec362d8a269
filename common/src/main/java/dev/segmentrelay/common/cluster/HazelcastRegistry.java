package dev.segmentrelay.common.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ReplicatedMapConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.Registry;
import dev.segmentrelay.common.registry.SegmentEvents;
import dev.segmentrelay.common.registry.StreamCatalog;
import dev.segmentrelay.common.registry.StreamRecord;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of a deployment of several processes: this JVM is a Hazelcast member of the cluster
 * {@link ClusterConfig} describes, and the catalog, the segment topics and the edge directory are
 * shared structures of that cluster.
 *
 * <ul>
 *   <li>{@code edges}: a replicated map, see {@link HazelcastEdgeDirectory} (local reads; a
 *       member's entries vanish the moment it leaves the cluster).
 *   <li>{@code streams}: a replicated map, see {@link HazelcastStreamCatalog}.
 *   <li>{@code segments.{stream}}: one plain topic per stream, see {@link HazelcastSegmentEvents}.
 * </ul>
 *
 * <p>No call of the three interfaces blocks on the cluster: writes and publishes are handed to
 * background threads (so they become visible shortly after the call returns), reads are local.
 *
 * <p><b>Membership.</b> TCP-IP join with the configured list only (multicast, auto-detection and
 * phone-home off), bound to one interface. Heartbeats every second and removal after three silent
 * seconds drop a frozen ({@code SIGSTOP}) member within about three seconds; a killed one is
 * noticed as soon as its connections close. A member that was dropped while frozen and then resumes
 * finds itself alone and merges back within {@link ClusterConfig#mergeInterval()}.
 *
 * <p><b>Records</b> travel with Java serialization (they are {@link java.io.Serializable} records,
 * deserialized through their canonical constructors, so validation runs on every member). Maps keep
 * them deserialized ({@code OBJECT} format): a read costs no copy.
 *
 * <p><b>Java 17</b> wants {@link #JAVA_FLAGS} for Hazelcast's use of JDK internals; {@code
 * relay.jar} carries them in its manifest ({@code Add-Opens}, {@code Add-Exports}), test JVMs get
 * them from the surefire/failsafe {@code argLine}. Without them Hazelcast still works, slower, and
 * logs a warning.
 */
public final class HazelcastRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger(HazelcastRegistry.class);

  /** The JVM options Hazelcast asks for on Java 9 and later. */
  public static final List<String> JAVA_FLAGS =
      List.of(
          "--add-exports",
          "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens",
          "java.base/java.lang=ALL-UNNAMED",
          "--add-opens",
          "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens",
          "java.management/sun.management=ALL-UNNAMED",
          "--add-opens",
          "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  static final String EDGES = "edges";
  static final String STREAMS = "streams";
  private static final Duration WRITER_DRAIN = Duration.ofSeconds(2);
  private static final long SHUTDOWN_SECONDS = 10;
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(SHUTDOWN_SECONDS);
  private static final Pattern ROLE_OR_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final HazelcastInstance hazelcast;
  private final LatestWinsWriter writer;
  private final HazelcastStreamCatalog streams;
  private final HazelcastSegmentEvents segments;
  private final HazelcastEdgeDirectory edges;

  private HazelcastRegistry(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.writer = new LatestWinsWriter("registry-writer");
    this.streams =
        new HazelcastStreamCatalog(
            hazelcast.<String, StreamRecord>getReplicatedMap(STREAMS), writer);
    this.segments = new HazelcastSegmentEvents(hazelcast);
    this.edges =
        new HazelcastEdgeDirectory(
            hazelcast.<String, EdgeRecord>getReplicatedMap(EDGES),
            hazelcast.getCluster(),
            writer,
            this::localMemberId);
  }

  /**
   * Starts a Hazelcast member and joins (or forms) the cluster; blocks until it has, which takes
   * about {@link ClusterConfig#joinTimeout()} for a first member.
   *
   * @param role this process's role ({@code origin}, {@code edge}, {@code router}), a member
   *     attribute
   * @param name this process's name in its role (an edge id), a member attribute
   * @throws IllegalStateException naming the address when the member cannot start (port taken)
   */
  public static HazelcastRegistry join(ClusterConfig cluster, String role, String name) {
    Objects.requireNonNull(cluster, "cluster");
    requireName("role", role);
    requireName("name", name);
    // Hazelcast reads this before it reads the member config (the config property covers the rest);
    // an operator's own -Dhazelcast.logging.type wins.
    System.getProperties().putIfAbsent("hazelcast.logging.type", "slf4j");
    long started = System.nanoTime();
    HazelcastInstance instance;
    try {
      instance = Hazelcast.newHazelcastInstance(hazelcastConfig(cluster, role, name));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot join the registry cluster '"
              + cluster.clusterName()
              + "' at "
              + cluster.address()
              + " (members "
              + cluster.members()
              + "): "
              + e.getMessage()
              + "; check that cluster-port "
              + cluster.port()
              + " is free on "
              + cluster.bindHost(),
          e);
    }
    HazelcastRegistry registry = new HazelcastRegistry(instance);
    log.info(
        "{} {} joined registry cluster '{}' at {} as member {} in {} ms ({} member(s))",
        role,
        name,
        cluster.clusterName(),
        cluster.address(),
        registry.localMemberId(),
        (System.nanoTime() - started) / 1_000_000,
        registry.memberCount());
    return registry;
  }

  /** The Hazelcast configuration of a member (package-private for tests). */
  static Config hazelcastConfig(ClusterConfig cluster, String role, String name) {
    Config config = new Config();
    config.setClusterName(cluster.clusterName());
    config.setInstanceName("relay-" + role + "-" + name + "-" + cluster.port());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // The service closes the registry from its own shutdown path, in order.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty(
        "hazelcast.heartbeat.interval.seconds",
        Long.toString(cluster.heartbeatInterval().toSeconds()));
    config.setProperty(
        "hazelcast.max.no.heartbeat.seconds", Long.toString(cluster.maxNoHeartbeat().toSeconds()));
    // Start fast: a first member does not wait the default 5 s for others before it forms a
    // cluster; members starting together still find each other through the merge below.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "2");
    String merge = Long.toString(cluster.mergeInterval().toSeconds());
    config.setProperty("hazelcast.merge.first.run.delay.seconds", merge);
    config.setProperty("hazelcast.merge.next.run.delay.seconds", merge);
    // Leaving waits for partition replicas to be safe, but not for the default 10 minutes.
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "5");
    if (cluster.bindHost().contains(":")) {
      config.setProperty("hazelcast.prefer.ipv4.stack", "false");
    }

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface(cluster.bindHost());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    TcpIpConfig tcp =
        join.getTcpIpConfig()
            .setEnabled(true)
            .setConnectionTimeoutSeconds((int) cluster.joinTimeout().toSeconds());
    for (String member : cluster.members()) {
      tcp.addMember(member);
    }

    config.getMemberAttributeConfig().setAttribute("role", role).setAttribute("name", name);
    for (String map : List.of(EDGES, STREAMS)) {
      config.addReplicatedMapConfig(
          new ReplicatedMapConfig(map)
              .setInMemoryFormat(InMemoryFormat.OBJECT)
              .setStatisticsEnabled(false));
    }
    return config;
  }

  /**
   * This member's UUID, for {@link EdgeRecord#memberId()}; it changes after a split-brain merge.
   */
  public String localMemberId() {
    return hazelcast.getCluster().getLocalMember().getUuid().toString();
  }

  /** Members in the cluster as this member sees it, itself included. */
  public int memberCount() {
    return hazelcast.getCluster().getMembers().size();
  }

  @Override
  public StreamCatalog streams() {
    return streams;
  }

  @Override
  public SegmentEvents segments() {
    return segments;
  }

  @Override
  public EdgeDirectory edges() {
    return edges;
  }

  /**
   * Sends what is pending (bounded), then leaves the cluster: a graceful shutdown, bounded by
   * {@value #SHUTDOWN_SECONDS} s, after which the member is terminated.
   */
  @Override
  public void close() {
    writer.close(WRITER_DRAIN);
    segments.close(WRITER_DRAIN.toMillis());
    edges.close();
    Thread shutdown = new Thread(hazelcast::shutdown, "registry-shutdown");
    shutdown.setDaemon(true);
    shutdown.start();
    try {
      shutdown.join(SHUTDOWN_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (shutdown.isAlive()) {
      log.warn("registry member did not leave within {}; terminating it", SHUTDOWN_TIMEOUT);
      hazelcast.getLifecycleService().terminate();
    }
  }

  private static void requireName(String what, String value) {
    if (value == null || !ROLE_OR_NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "registry member "
              + what
              + " '"
              + value
              + "' must be 1 to 64 letters, digits, '_', '.', '-'");
    }
  }
}
