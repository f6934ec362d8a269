package dev.segmentrelay.georouter.dns;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's authoritative DNS server over UDP and TCP on one port number.
 *
 * <p>Threads: one Netty event-loop group of {@link DnsSettings#ioThreads()} threads. With epoll
 * (Linux), one UDP socket per thread bound to the same port with SO_REUSEPORT, so the kernel
 * spreads queries over the threads; with NIO, one UDP socket. TCP shares the group. Every answer is
 * computed on the thread that read the query (see {@link DnsResponder}); the selector must not
 * block.
 *
 * <p>Usage: {@code try (DnsServer dns = DnsServer.start(settings, selector, registry)) { ...
 * dns.port() ... }}.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  /** Attempts to find a port number free for both UDP and TCP when the port is 0. */
  private static final int ANY_PORT_ATTEMPTS = 8;

  private static final int UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;

  private final EventLoopGroup group;
  private final List<Channel> channels;
  private final int port;

  private DnsServer(EventLoopGroup group, List<Channel> channels, int port) {
    this.group = group;
    this.channels = channels;
    this.port = port;
  }

  /**
   * Binds UDP and TCP on {@code settings.host()} and starts answering.
   *
   * @throws IllegalStateException when the port cannot be bound (the message names host and port)
   */
  public static DnsServer start(
      DnsSettings settings, DnsTargetSelector selector, MeterRegistry metrics) {
    return start(settings, selector, metrics, Clock.systemUTC());
  }

  /**
   * As {@link #start(DnsSettings, DnsTargetSelector, MeterRegistry)}; the SOA serial from clock.
   */
  static DnsServer start(
      DnsSettings settings, DnsTargetSelector selector, MeterRegistry metrics, Clock clock) {
    DnsMetrics meters = new DnsMetrics(metrics);
    DnsResponder responder =
        new DnsResponder(
            settings, selector, meters, clock.instant().getEpochSecond() & 0xFFFFFFFFL);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            settings.ioThreads(), new DefaultThreadFactory("relay-dns", true), io);
    try {
      List<Channel> channels = new ArrayList<>();
      int port = bind(settings, responder, meters, group, epoll, channels);
      log.info(
          "DNS server for {} on {} port {} (UDP x{}, TCP; {})",
          settings.names(),
          settings.host(),
          port,
          channels.size() - 1,
          epoll ? "epoll" : "nio");
      return new DnsServer(group, channels, port);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      throw e;
    }
  }

  private static int bind(
      DnsSettings settings,
      DnsResponder responder,
      DnsMetrics meters,
      EventLoopGroup group,
      boolean epoll,
      List<Channel> channels) {
    DnsUdpHandler udpHandler = new DnsUdpHandler(responder, meters);
    Bootstrap udp =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
            .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(4096))
            .handler(udpHandler);
    if (epoll) {
      udp.option(EpollChannelOption.SO_REUSEPORT, true);
    }
    AtomicInteger openConnections = new AtomicInteger();
    ServerBootstrap tcp =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new LengthFieldBasedFrameDecoder(
                                DnsTcpHandler.MAX_QUERY_LENGTH, 0, 2, 0, 2, true),
                            new DnsTcpHandler(
                                responder,
                                meters,
                                settings.tcpTimeout(),
                                openConnections,
                                settings.maxTcpConnections()));
                  }
                });
    int udpSockets = epoll ? settings.ioThreads() : 1;
    int attempts = settings.port() == 0 ? ANY_PORT_ATTEMPTS : 1;
    RuntimeException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      List<Channel> bound = new ArrayList<>();
      int port = settings.port();
      try {
        for (int i = 0; i < udpSockets; i++) {
          Channel channel = await(udp.bind(settings.host(), port), "UDP", settings.host(), port);
          bound.add(channel);
          port = ((InetSocketAddress) channel.localAddress()).getPort();
        }
        bound.add(await(tcp.bind(settings.host(), port), "TCP", settings.host(), port));
        channels.addAll(bound);
        return port;
      } catch (RuntimeException e) {
        last = e;
        for (Channel channel : bound) {
          channel.close().syncUninterruptibly();
        }
      }
    }
    throw last;
  }

  private static Channel await(ChannelFuture future, String protocol, String host, int port) {
    future.awaitUninterruptibly();
    if (!future.isSuccess()) {
      throw new IllegalStateException(
          "cannot bind DNS "
              + protocol
              + " on "
              + host
              + " port "
              + port
              + ": "
              + future.cause().getMessage()
              + " (choose another --dns-port or free that one)",
          future.cause());
    }
    return future.channel();
  }

  /** The bound port number, UDP and TCP alike. */
  public int port() {
    return port;
  }

  /** Closes every socket and stops the threads; waits at most a few seconds. */
  @Override
  public void close() {
    for (Channel channel : channels) {
      channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
