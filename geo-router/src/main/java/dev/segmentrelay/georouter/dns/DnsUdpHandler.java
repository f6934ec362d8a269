package dev.segmentrelay.georouter.dns;

import dev.segmentrelay.georouter.dns.DnsMetrics.Drop;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only handler of each UDP channel: one datagram in, at most one datagram out.
 *
 * <p>Pipeline: {@code [DnsUdpHandler]}. Answers with whatever {@link DnsResponder} writes (any
 * response code, TC when the answer does not fit); drops what it declines. Responses are written
 * without a flush and flushed once per read batch. No failure closes the channel: a broken packet
 * or a failed send costs that packet only.
 */
@ChannelHandler.Sharable
final class DnsUdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private static final Logger log = LoggerFactory.getLogger(DnsUdpHandler.class);

  private final DnsResponder responder;
  private final DnsMetrics metrics;

  DnsUdpHandler(DnsResponder responder, DnsMetrics metrics) {
    this.responder = responder;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    ByteBuf out = ctx.alloc().ioBuffer(DnsResponder.PLAIN_UDP_LIMIT);
    boolean answered = false;
    try {
      answered = responder.respond(packet.content(), packet.sender().getAddress(), true, out);
    } catch (RuntimeException e) {
      metrics.dropped(Drop.ERROR);
      log.warn("DNS query from {} failed", packet.sender(), e);
    }
    if (answered) {
      ctx.write(new DatagramPacket(out, packet.sender()), ctx.voidPromise());
    } else {
      out.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Send errors (ICMP port unreachable and the like) land here: log, keep the channel.
    log.debug("DNS UDP channel error", cause);
  }
}
