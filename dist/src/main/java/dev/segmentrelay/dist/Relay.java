package dev.segmentrelay.dist;

import dev.segmentrelay.common.config.ConfigException;
import dev.segmentrelay.dist.demo.DemoCommand;
import dev.segmentrelay.dist.edge.EdgeCommand;
import dev.segmentrelay.dist.loadtest.LoadTestCommand;
import dev.segmentrelay.dist.origin.OriginCommand;
import dev.segmentrelay.dist.router.RouterCommand;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code relay} executable: one subcommand per role. Exit codes: 0 after an
 * orderly stop, 1 when a service cannot start, 2 for bad command-line or configuration values (the
 * message names the option or key).
 */
@Command(
    name = "relay",
    description = "Segment Relay: a self-hosted edge CDN for live conference video.",
    synopsisSubcommandLabel = "COMMAND",
    commandListHeading = "%nCommands:%n")
public final class Relay implements Runnable {
  /** Exit code for values the operator must fix, as picocli uses for usage errors. */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /** Exit code for a service that could not start. */
  public static final int EXIT_FAILED = CommandLine.ExitCode.SOFTWARE;

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  private boolean help;

  public static void main(String[] args) {
    System.exit(commandLine(System.getenv()).execute(args));
  }

  /** The whole command tree, reading configuration variables from {@code environment}. */
  public static CommandLine commandLine(Map<String, String> environment) {
    CommandLine relay = new CommandLine(new Relay());
    relay.addSubcommand("origin", OriginCommand.commandLine(environment));
    relay.addSubcommand("edge", EdgeCommand.commandLine(environment));
    relay.addSubcommand("router", RouterCommand.commandLine(environment));
    relay.addSubcommand("loadtest", LoadTestCommand.commandLine(environment));
    relay.addSubcommand("demo", new CommandLine(new DemoCommand()));
    relay.setExecutionExceptionHandler(
        (exception, commandLine, parseResult) -> {
          if (exception instanceof ConfigException) {
            commandLine
                .getErr()
                .println(
                    "relay "
                        + commandLine.getCommandName()
                        + ": "
                        + exception.getMessage()
                        + System.lineSeparator()
                        + "See 'relay "
                        + commandLine.getCommandName()
                        + " --help'.");
            return EXIT_USAGE;
          }
          throw exception;
        });
    return relay;
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing command: origin, edge, router, loadtest or demo");
  }
}
