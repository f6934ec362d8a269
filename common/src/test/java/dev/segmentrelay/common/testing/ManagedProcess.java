package dev.segmentrelay.common.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An external process started by a test (ffmpeg, nginx, a relay JVM) that is always cleaned up.
 *
 * <p>Stdout and stderr go to files beside each other so a failing test can print them. {@link
 * #close()} ends the process and every descendant it spawned (nginx workers, shell children): first
 * politely ({@link #stopGracefully}), then {@code destroyForcibly} with a bounded {@code waitFor}.
 * Every wait here is bounded. A JVM shutdown hook kills whatever is still running, so a test JVM
 * that is interrupted (Ctrl-C, a failsafe timeout) leaves no peer behind.
 */
public final class ManagedProcess implements AutoCloseable {
  private static final long FORCED_WAIT_SECONDS = 10;
  private static final java.util.Set<ManagedProcess> RUNNING =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> RUNNING.forEach(p -> p.family().forEach(ProcessHandle::destroyForcibly)),
                "managed-process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ManagedProcess(
      String name, List<String> command, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.command = List.copyOf(command);
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code command} with its output in {@code logDir/name.stdout} and {@code
   * logDir/name.stderr} (appended to, so a restarted process keeps its history).
   */
  public static ManagedProcess start(String name, List<String> command, Path logDir) {
    try {
      Files.createDirectories(logDir);
      Path out = logDir.resolve(name + ".stdout");
      Path err = logDir.resolve(name + ".stderr");
      Files.writeString(
          err,
          "=== " + String.join(" ", command) + System.lineSeparator(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
              .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      ManagedProcess managed = new ManagedProcess(name, command, process, out, err);
      RUNNING.add(managed);
      return managed;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> command() {
    return command;
  }

  public Path stdoutFile() {
    return stdout;
  }

  public Path stderrFile() {
    return stderr;
  }

  /** The process's stdin (ffmpeg quits cleanly on {@code q}). */
  public OutputStream stdin() {
    return process.getOutputStream();
  }

  /**
   * Waits for the process to exit by itself.
   *
   * @return the exit code, or empty if it is still running after {@code timeoutMillis}
   */
  public java.util.OptionalInt waitFor(long timeoutMillis) {
    try {
      if (process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
        return java.util.OptionalInt.of(process.exitValue());
      }
      return java.util.OptionalInt.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.OptionalInt.empty();
    }
  }

  /**
   * Asks the process to end (SIGTERM to it and its descendants), waits up to {@code timeoutMillis},
   * then kills whatever is left.
   */
  public void stopGracefully(long timeoutMillis) {
    List<ProcessHandle> family = family();
    family.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    for (ProcessHandle p : family) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      try {
        p.onExit().get(left, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        // Still running (or interrupted): the forced kill below handles it.
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    kill();
  }

  /** Kills the process and its descendants at once (SIGKILL), as a crash would. */
  public void kill() {
    List<ProcessHandle> family = family();
    family.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle p : family) {
      try {
        p.onExit().get(FORCED_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
      }
    }
    try {
      process.waitFor(FORCED_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!process.isAlive()) {
      RUNNING.remove(this);
    }
  }

  /** The process first, then its descendants (collected before anything is signalled). */
  private List<ProcessHandle> family() {
    List<ProcessHandle> family = new ArrayList<>();
    family.add(process.toHandle());
    process.descendants().forEach(family::add);
    return family;
  }

  /** The last {@code maxLines} lines of stderr, for assertion messages. */
  public String stderrTail(int maxLines) {
    return tail(stderr, maxLines);
  }

  static String tail(Path file, int maxLines) {
    try {
      if (!Files.exists(file)) {
        return "";
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join(
          System.lineSeparator(),
          lines.subList(Math.max(0, lines.size() - maxLines), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive() || process.descendants().findAny().isPresent()) {
      stopGracefully(3_000);
    }
  }

  @Override
  public String toString() {
    return name + "[pid " + process.pid() + "]";
  }
}
