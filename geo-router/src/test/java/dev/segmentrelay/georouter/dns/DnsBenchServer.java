package dev.segmentrelay.georouter.dns;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A DNS server for {@code bench/dns-qps.sh}: {@link DnsServer} with a fixed selector over 100 fake
 * edges (addresses in the documentation ranges), chosen by a trivial hash of the client address.
 * Stands in for {@code relay router} until that command exists.
 *
 * <p>Run: {@code java -cp CLASSPATH dev.segmentrelay.georouter.dns.DnsBenchServer [PORT [NAME]]};
 * prints {@code DNS_PORT=<port>} once it answers, and runs until killed.
 */
public final class DnsBenchServer {
  private DnsBenchServer() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    String name = args.length > 1 ? args[1] : "live.bench.test";
    int edges = 100;
    List<List<InetAddress>> v4 = new ArrayList<>();
    List<List<InetAddress>> v6 = new ArrayList<>();
    for (int i = 0; i < edges; i++) {
      v4.add(List.of(address(new byte[] {(byte) 198, 51, 100, (byte) (i + 1)})));
      byte[] six = new byte[16];
      six[0] = 0x20;
      six[1] = 0x01;
      six[2] = 0x0d;
      six[3] = (byte) 0xb8;
      six[15] = (byte) (i + 1);
      v6.add(List.of(address(six)));
    }
    DnsTargetSelector selector =
        (asked, client, ipv6) -> {
          int edge = Math.floorMod(Arrays.hashCode(client.getAddress()), edges);
          return ipv6 ? v6.get(edge) : v4.get(edge);
        };
    DnsSettings settings =
        DnsSettings.of(
            "127.0.0.1",
            port,
            List.of(name),
            Duration.ofSeconds(30),
            "ns1.bench.test",
            "hostmaster.bench.test");
    DnsServer server = DnsServer.start(settings, selector, new SimpleMeterRegistry());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "dns-bench-stop"));
    System.out.println("DNS_PORT=" + server.port());
    System.out.flush();
    new CountDownLatch(1).await();
  }

  private static InetAddress address(byte[] bytes) throws UnknownHostException {
    return InetAddress.getByAddress(bytes);
  }
}
