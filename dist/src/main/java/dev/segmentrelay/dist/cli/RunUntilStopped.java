package dev.segmentrelay.dist.cli;

import dev.segmentrelay.dist.Relay;
import io.vertx.core.Future;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * How every long-running role command runs: start the service (bounded), close it from a shutdown
 * hook when the JVM is asked to stop (bounded), and keep the command's thread until then.
 */
public final class RunUntilStopped {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private RunUntilStopped() {}

  /**
   * @param role the command's name in messages ({@code origin}, {@code edge})
   * @param starting the service starting
   * @param close how to stop the started service
   * @param started called once it runs (print where it listens)
   * @return the command's exit code: OK after a stop, {@link Relay#EXIT_FAILED} if it did not start
   */
  public static <T> int run(
      String role,
      Future<T> starting,
      Function<T, Future<Void>> close,
      Consumer<T> started,
      PrintWriter err) {
    T service;
    try {
      service = Blocking.await(starting, START_TIMEOUT);
    } catch (IllegalStateException e) {
      err.println("relay " + role + ": could not start: " + e.getMessage());
      err.flush();
      return Relay.EXIT_FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Blocking.await(close.apply(service), STOP_TIMEOUT);
                  } catch (IllegalStateException e) {
                    err.println("relay " + role + ": unclean stop: " + e.getMessage());
                    err.flush();
                  } finally {
                    stopped.countDown();
                  }
                },
                "relay-" + role + "-shutdown"));
    started.accept(service);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }
}
