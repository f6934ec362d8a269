package dev.segmentrelay.dist.cli;

import dev.segmentrelay.common.cluster.ClusterConfig;
import dev.segmentrelay.common.cluster.HazelcastRegistry;
import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.config.Setting;
import dev.segmentrelay.common.config.SettingType;
import dev.segmentrelay.common.registry.InProcessRegistry;
import dev.segmentrelay.common.registry.Registry;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The cluster registry settings every long-running role shares ({@code relay origin}, {@code relay
 * edge}, {@code relay router}): a role lists {@code ClusterSettings.appendTo(its settings)} in its
 * schema and gets its registry from {@link #registry}. Without {@code --cluster-port} and {@code
 * --members} a role runs with an in-process registry, as a single node.
 */
public final class ClusterSettings {
  public static final Setting<Integer> CLUSTER_PORT =
      Setting.optional(
          "cluster-port",
          SettingType.port(),
          "Port of this process's cluster registry member (Hazelcast). Setting it or --members"
              + " joins the cluster; unset (and no members): single node, default port "
              + ClusterConfig.DEFAULT_PORT
              + " when only --members is given.");
  public static final Setting<List<String>> MEMBERS =
      Setting.of(
          "members",
          SettingType.list("HOST:PORT[,HOST:PORT...]"),
          List.<String>of(),
          "Cluster registry members to join (this member's own address may be listed too, so all"
              + " can share one list); empty for the first member.");
  public static final Setting<String> CLUSTER_BIND =
      Setting.of(
          "cluster-bind",
          SettingType.string("ADDR"),
          ClusterConfig.DEFAULT_BIND_HOST,
          "IP address of the private interface the registry member listens on (loopback or a"
              + " WireGuard address; never a public one: the registry has no authentication).");
  public static final Setting<String> CLUSTER_NAME =
      Setting.of(
          "cluster-name",
          SettingType.string("NAME"),
          ClusterConfig.DEFAULT_CLUSTER_NAME,
          "Members join only a cluster of the same name (one per deployment).");

  /** The shared settings, in help order. */
  public static final List<Setting<?>> SETTINGS =
      List.of(CLUSTER_PORT, MEMBERS, CLUSTER_BIND, CLUSTER_NAME);

  private ClusterSettings() {}

  /** A role's own settings followed by the cluster settings. */
  public static List<Setting<?>> appendTo(List<Setting<?>> roleSettings) {
    List<Setting<?>> all = new ArrayList<>(roleSettings);
    all.addAll(SETTINGS);
    return List.copyOf(all);
  }

  /** Whether the role should join a cluster: a cluster port or members were given. */
  public static boolean requested(ResolvedConfig config) {
    return config.find(CLUSTER_PORT).isPresent() || !config.get(MEMBERS).isEmpty();
  }

  /**
   * The cluster to join, or empty for a single node.
   *
   * @throws ConfigException naming the bad value, its key and where it was set
   */
  public static Optional<ClusterConfig> toClusterConfig(ResolvedConfig config) {
    if (!requested(config)) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          ClusterConfig.of(
                  config.get(CLUSTER_BIND),
                  config.find(CLUSTER_PORT).orElse(ClusterConfig.DEFAULT_PORT),
                  config.get(MEMBERS))
              .withClusterName(config.get(CLUSTER_NAME)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage() + config.sourcesOfKeysIn(e.getMessage()), e);
    }
  }

  /**
   * The role's registry: joins the cluster when one is configured (blocking for the few seconds
   * that takes), otherwise an in-process registry. The caller closes it after the service.
   *
   * @param role member attribute ({@code origin}, {@code edge}, {@code router})
   * @param name member attribute: the process's name in its role (an edge id)
   * @return a failed future when the member cannot start (its port is taken)
   * @throws ConfigException for unusable cluster settings
   */
  public static Future<Registry> registry(ResolvedConfig config, String role, String name) {
    Optional<ClusterConfig> cluster = toClusterConfig(config);
    if (cluster.isEmpty()) {
      return Future.succeededFuture(new InProcessRegistry());
    }
    try {
      return Future.succeededFuture(HazelcastRegistry.join(cluster.get(), role, name));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Starts a service with its registry; a service that fails to start closes the registry again.
   */
  public static <T> Future<T> startWith(
      Future<Registry> registry, java.util.function.Function<Registry, Future<T>> start) {
    return registry.compose(r -> start.apply(r).onFailure(e -> r.close()));
  }
}
