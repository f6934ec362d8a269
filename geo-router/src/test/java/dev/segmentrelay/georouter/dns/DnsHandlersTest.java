package dev.segmentrelay.georouter.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.segmentrelay.georouter.dns.DnsMessages.Query;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The UDP and TCP handlers in Netty's EmbeddedChannel, with its frozen, advanceable clock. */
class DnsHandlersTest {
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.7", 40000);
  private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 53);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DnsMetrics metrics = new DnsMetrics(registry);
  private final DnsResponder responder =
      new DnsResponder(
          DnsSettings.of(
              "127.0.0.1",
              0,
              List.of("live.example.com"),
              Duration.ofSeconds(20),
              "ns1.example.com",
              "hostmaster.example.com"),
          (name, client, ipv6) -> List.of(client),
          metrics,
          1);
  private final AtomicInteger open = new AtomicInteger();

  private double dropped(String reason) {
    var counter = registry.find("relay_router_dns_dropped").tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void udpGarbageIsDroppedAndTheChannelKeepsAnswering() {
    EmbeddedChannel channel = new EmbeddedChannel(new DnsUdpHandler(responder, metrics));
    channel.writeInbound(
        new DatagramPacket(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), SERVER, CLIENT));
    Object nothing = channel.readOutbound();
    assertThat(nothing).isNull();
    assertThat(dropped("short")).isEqualTo(1);

    channel.writeInbound(
        new DatagramPacket(
            DnsMessages.buffer(new Query("live.example.com", 1).bytes()), SERVER, CLIENT));
    DatagramPacket reply = channel.readOutbound();
    assertThat(reply.recipient()).isEqualTo(CLIENT);
    DnsResponse response = DnsMessages.decode(reply.content());
    assertThat(response.code()).isEqualTo(DnsResponseCode.NOERROR);
    assertThat(DnsMessages.data(response, DnsSection.ANSWER))
        .containsExactly(CLIENT.getAddress().getAddress());
    response.release();
    assertThat(channel.isActive()).isTrue();
    assertThat(channel.finishAndReleaseAll()).isFalse();
  }

  private EmbeddedChannel tcp(Duration timeout, int maxConnections) {
    EmbeddedChannel channel =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return CLIENT;
          }
        };
    channel.freezeTime();
    channel
        .pipeline()
        .addLast(
            new LengthFieldBasedFrameDecoder(DnsTcpHandler.MAX_QUERY_LENGTH, 0, 2, 0, 2, true),
            new DnsTcpHandler(responder, metrics, timeout, open, maxConnections));
    channel.pipeline().fireChannelActive();
    return channel;
  }

  private static ByteBuf framed(byte[]... messages) {
    ByteBuf buf = Unpooled.buffer();
    for (byte[] message : messages) {
      buf.writeShort(message.length);
      buf.writeBytes(message);
    }
    return buf;
  }

  @Test
  void tcpAnswersPipelinedQueriesInOrderWithLengthPrefixes() {
    EmbeddedChannel channel = tcp(Duration.ofSeconds(10), 10);
    Query first = new Query("live.example.com", 1);
    first.id = 1;
    Query second = new Query("x.live.example.com", 1);
    second.id = 2;
    // Split across two writes, mid-frame.
    ByteBuf all = framed(first.bytes(), second.bytes());
    channel.writeInbound(all.readRetainedSlice(20));
    channel.writeInbound(all);
    ByteBuf out = Unpooled.buffer();
    for (Object chunk = channel.readOutbound(); chunk != null; chunk = channel.readOutbound()) {
      out.writeBytes((ByteBuf) chunk);
      ((ByteBuf) chunk).release();
    }
    DnsResponse one = DnsMessages.decode(out.readRetainedSlice(out.readUnsignedShort()));
    DnsResponse two = DnsMessages.decode(out.readRetainedSlice(out.readUnsignedShort()));
    assertThat(out.isReadable()).isFalse();
    out.release();
    assertThat(one.id()).isEqualTo(1);
    assertThat(one.code()).isEqualTo(DnsResponseCode.NOERROR);
    assertThat(two.id()).isEqualTo(2);
    assertThat(two.code()).isEqualTo(DnsResponseCode.NXDOMAIN);
    one.release();
    two.release();
    assertThat(channel.isActive()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void tcpOversizeFrameClosesTheConnection() {
    EmbeddedChannel channel = tcp(Duration.ofSeconds(10), 10);
    ByteBuf big = Unpooled.buffer();
    big.writeShort(DnsTcpHandler.MAX_QUERY_LENGTH + 1);
    big.writeZero(100);
    channel.writeInbound(big);
    assertThat(channel.isActive()).isFalse();
    assertThat(dropped("tcp_oversize")).isEqualTo(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void tcpClientTricklingBytesIsClosedAfterTheTimeout() {
    EmbeddedChannel channel = tcp(Duration.ofSeconds(10), 10);
    byte[] query = framed(new Query("live.example.com", 1).bytes()).array();
    for (int second = 0; second < 9; second++) {
      channel.writeInbound(Unpooled.wrappedBuffer(query, second, 1));
      channel.advanceTimeBy(1, TimeUnit.SECONDS);
      channel.runScheduledPendingTasks();
    }
    assertThat(channel.isActive()).isTrue();
    channel.writeInbound(Unpooled.wrappedBuffer(query, 9, 1));
    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isActive()).as("10 s without a complete query").isFalse();
    assertThat(dropped("tcp_timeout")).isEqualTo(1);
    assertThat(open.get()).isZero();
    channel.finishAndReleaseAll();
  }

  @Test
  void tcpTimeoutRestartsAfterEachAnsweredQuery() {
    EmbeddedChannel channel = tcp(Duration.ofSeconds(10), 10);
    channel.advanceTimeBy(9, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    channel.writeInbound(framed(new Query("live.example.com", 1).bytes()));
    channel.advanceTimeBy(9, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isActive()).isTrue();
    channel.advanceTimeBy(1, TimeUnit.SECONDS);
    channel.runScheduledPendingTasks();
    assertThat(channel.isActive()).isFalse();
    channel.finishAndReleaseAll();
  }

  @Test
  void tcpConnectionsOverTheLimitAreClosedOnAccept() {
    EmbeddedChannel first = tcp(Duration.ofSeconds(10), 1);
    EmbeddedChannel second = tcp(Duration.ofSeconds(10), 1);
    assertThat(first.isActive()).isTrue();
    assertThat(second.isActive()).isFalse();
    assertThat(dropped("tcp_limit")).isEqualTo(1);
    first.close();
    assertThat(open.get()).isZero();
    first.finishAndReleaseAll();
    second.finishAndReleaseAll();
  }
}
