package dev.segmentrelay.dist.cli;

import dev.segmentrelay.common.config.ConfigSchema;
import dev.segmentrelay.common.config.ResolvedConfig;
import dev.segmentrelay.common.registry.Registry;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What {@code relay origin}, {@code relay edge} and {@code relay router} share: one option per
 * setting of the role's {@link ConfigSchema}, the layered resolution (defaults, {@code --config}
 * file, {@code RELAY_<ROLE>_*} variables, flags), and the life of a service in the cluster: join
 * the registry when cluster settings are given, start the service on it, print where it listens,
 * run until the JVM is asked to stop, then close the service and leave the cluster.
 */
public abstract class RoleCommand implements Callable<Integer> {
  @Spec protected CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  private final ConfigSchema schema;
  private final Map<String, String> environment;

  protected RoleCommand(ConfigSchema schema, Map<String, String> environment) {
    this.schema = schema;
    this.environment = Map.copyOf(environment);
  }

  /** The process environment the command reads ({@code RELAY_*}, {@code AWS_*}). */
  protected Map<String, String> environment() {
    return environment;
  }

  /** {@code command} as a picocli command line with one option per setting of its schema. */
  protected static CommandLine withSchemaOptions(RoleCommand command) {
    CommandLine line = new CommandLine(command);
    SchemaOptions.addTo(line.getCommandSpec(), command.schema);
    return line;
  }

  /**
   * The layered settings of the parsed command line.
   *
   * @throws dev.segmentrelay.common.config.ConfigException naming the bad option or key
   */
  public ResolvedConfig resolve() {
    return SchemaOptions.load(spec.commandLine().getParseResult(), schema, environment);
  }

  /**
   * Joins the cluster (or an in-process registry without cluster settings), starts the service on
   * it and runs until stopped; closing the service leaves the cluster after it.
   *
   * @param memberName this member's name in the cluster, for operators
   * @return the process exit code
   */
  protected <T> int runInRegistry(
      ResolvedConfig resolved,
      String role,
      String memberName,
      Function<Registry, Future<T>> start,
      Function<T, Future<Void>> close,
      Consumer<T> started) {
    ClusterSettings.toClusterConfig(resolved); // settings errors before anything starts
    Future<Registry> registry = ClusterSettings.registry(resolved, role, memberName);
    return RunUntilStopped.run(
        role,
        ClusterSettings.startWith(registry, start),
        service -> close.apply(service).andThen(v -> registry.result().close()),
        started,
        spec.commandLine().getErr());
  }
}
