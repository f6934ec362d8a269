package dev.segmentrelay.georouter.dns;

import dev.segmentrelay.georouter.dns.DnsMetrics.Drop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers DNS over one TCP connection (RFC 7766): each message has a 2-byte length prefix, queries
 * may be pipelined, responses go out in order.
 *
 * <p>Pipeline: {@code LengthFieldBasedFrameDecoder(MAX_QUERY_LENGTH, 0, 2, 0, 2, fail fast) ->
 * [DnsTcpHandler]}. Closes the connection when a frame is longer than {@link #MAX_QUERY_LENGTH}
 * (drop {@code tcp_oversize}), when no complete query arrived for the timeout, counted from the
 * connection's start or the last query, so a client trickling bytes is closed too (drop {@code
 * tcp_timeout}), and on accept when the connection limit is reached (drop {@code tcp_limit}). Stops
 * reading while the client does not read its responses.
 */
final class DnsTcpHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(DnsTcpHandler.class);

  /** The largest query accepted over TCP: a question and an OPT with options fit in far less. */
  static final int MAX_QUERY_LENGTH = 4096;

  private final DnsResponder responder;
  private final DnsMetrics metrics;
  private final long timeoutNanos;
  private final AtomicInteger openConnections;
  private final int maxConnections;
  private ScheduledFuture<?> timeout;
  private boolean counted;

  DnsTcpHandler(
      DnsResponder responder,
      DnsMetrics metrics,
      Duration timeout,
      AtomicInteger openConnections,
      int maxConnections) {
    this.responder = responder;
    this.metrics = metrics;
    this.timeoutNanos = timeout.toNanos();
    this.openConnections = openConnections;
    this.maxConnections = maxConnections;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    counted = true;
    if (openConnections.incrementAndGet() > maxConnections) {
      metrics.dropped(Drop.TCP_LIMIT);
      ctx.close();
      return;
    }
    armTimeout(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      openConnections.decrementAndGet();
      counted = false;
    }
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf query = (ByteBuf) msg;
    ByteBuf out = ctx.alloc().ioBuffer(DnsResponder.PLAIN_UDP_LIMIT);
    boolean answered = false;
    try {
      out.writeShort(0);
      InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
      answered = responder.respond(query, peer.getAddress(), false, out);
    } catch (RuntimeException e) {
      metrics.dropped(Drop.ERROR);
      log.warn("DNS query over TCP from {} failed", ctx.channel().remoteAddress(), e);
    } finally {
      query.release();
    }
    if (!answered) {
      out.release();
      return;
    }
    out.setShort(0, out.readableBytes() - 2);
    ctx.write(out, ctx.voidPromise());
    armTimeout(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      metrics.dropped(Drop.TCP_OVERSIZE);
    } else if (!(cause instanceof IOException)) {
      metrics.dropped(Drop.ERROR);
      log.warn("DNS TCP connection from {} failed", ctx.channel().remoteAddress(), cause);
    }
    ctx.close();
  }

  private void armTimeout(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    timeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (ctx.channel().isActive()) {
                    metrics.dropped(Drop.TCP_TIMEOUT);
                    ctx.close();
                  }
                },
                timeoutNanos,
                TimeUnit.NANOSECONDS);
  }
}
