package dev.segmentrelay.microbench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@link SelectorBenchmark}'s decisions timed by the thread's CPU time as well as the wall clock:
 * on a shared machine JMH's wall-clock average includes the time other processes hold the cores,
 * while CPU time per decision stays close to what one idle core would take. Not a JMH benchmark: a
 * plain loop, warmed up for 3 s, then 5 rounds of 1 s; prints the best and median round.
 *
 * <pre>
 * java -cp microbench/target/microbench.jar dev.segmentrelay.microbench.SelectorCpuTime
 * </pre>
 */
public final class SelectorCpuTime {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static Object sink;

  private SelectorCpuTime() {}

  public static void main(String[] args) throws UnknownHostException {
    for (int edges : new int[] {100, 500}) {
      SelectorBenchmark b = new SelectorBenchmark();
      b.edges = edges;
      b.setUp();
      report("best", edges, b::best);
      report("bestInetAddress", edges, b::bestInetAddress);
      report("rankTop5", edges, b::rankTop5);
    }
  }

  private static void report(String name, int edges, Supplier<Object> op) {
    run(op, 3_000_000_000L);
    double[] cpu = new double[5];
    double[] wall = new double[5];
    for (int r = 0; r < 5; r++) {
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      long ops = run(op, 1_000_000_000L);
      cpu[r] = (THREADS.getCurrentThreadCpuTime() - cpu0) / (double) ops;
      wall[r] = (System.nanoTime() - wall0) / (double) ops;
    }
    java.util.Arrays.sort(cpu);
    java.util.Arrays.sort(wall);
    System.out.printf(
        Locale.ROOT,
        "%-16s edges=%-4d cpu ns/op best %8.1f median %8.1f | wall ns/op best %8.1f median %8.1f%n",
        name,
        edges,
        cpu[0],
        cpu[2],
        wall[0],
        wall[2]);
  }

  private static long run(Supplier<Object> op, long nanos) {
    long end = System.nanoTime() + nanos;
    long ops = 0;
    while (System.nanoTime() < end) {
      for (int i = 0; i < 1000; i++) {
        sink = op.get();
      }
      ops += 1000;
    }
    return ops;
  }
}
