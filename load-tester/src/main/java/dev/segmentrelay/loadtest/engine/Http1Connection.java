package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.engine.Http1ResponseParser.CloseOutcome;
import dev.segmentrelay.loadtest.engine.Http1ResponseParser.MalformedResponseException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.channels.ClosedChannelException;

/**
 * One keep-alive HTTP/1.1 connection of {@link Http1Client}: carries one request at a time (no
 * pipelining) and hands the parsed answer to that request's {@link ResponseListener}.
 *
 * <p>The completion of an answer is delivered after the bytes that carried it are consumed, so a
 * connection that received bytes beyond the answer (a misbehaving server) is closed, not reused,
 * and a listener that returns the connection to the pool cannot see those bytes as the next answer.
 *
 * <p>Everything runs on the connection's event loop.
 */
final class Http1Connection extends ChannelInboundHandlerAdapter
    implements Http1ResponseParser.Handler {

  /** The request a connection is carrying. */
  interface ResponseListener {
    void head(Http1Head head);

    /** {@code length} body bytes of {@code buf} from {@code index}, valid during the call. */
    void body(ByteBuf buf, int index, int length);

    /**
     * The answer is complete; when {@code reusable} the listener must give the connection back
     * ({@link Http1Client#release}), otherwise it is already closing.
     */
    void complete(Http1Connection connection, boolean reusable);

    /**
     * The connection broke before the answer was complete.
     *
     * @param outcome how far the answer had come
     * @param retryable whether nothing arrived on a connection that had served answers before: the
     *     server closed an idle keep-alive connection as the request went out, and a GET may be
     *     sent again on another connection
     */
    void failed(Throwable cause, CloseOutcome outcome, boolean retryable);
  }

  private final Http1Client client;
  final Http1Client.Origin origin;
  private final Http1ResponseParser parser = new Http1ResponseParser(this);
  private Channel channel;
  private ResponseListener current;
  private int served;
  private boolean completed;
  private boolean reusable;
  private Throwable failure;

  Http1Connection(Http1Client client, Http1Client.Origin origin) {
    this.client = client;
    this.origin = origin;
  }

  ByteBufAllocator alloc() {
    return channel.alloc();
  }

  boolean isActive() {
    return channel != null && channel.isActive();
  }

  /** Sends {@code request} (released by the channel) and routes its answer to {@code listener}. */
  void send(ByteBuf request, ResponseListener listener) {
    current = listener;
    parser.reset();
    completed = false;
    failure = null;
    channel.writeAndFlush(request, channel.voidPromise());
  }

  /** Drops the request in progress (timed out): the connection is closed, nothing is reported. */
  void abort() {
    current = null;
    if (channel != null) {
      channel.close();
    }
  }

  void close() {
    abort();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (current == null) {
        ctx.close(); // bytes nobody asked for
        return;
      }
      parser.feed(in);
      if (completed) {
        deliverCompletion(!in.isReadable());
      }
    } catch (MalformedResponseException e) {
      ResponseListener listener = current;
      current = null;
      ctx.close();
      listener.failed(e, CloseOutcome.TRUNCATED, false);
    } finally {
      in.release();
    }
  }

  private void deliverCompletion(boolean nothingLeft) {
    completed = false;
    ResponseListener listener = current;
    current = null;
    served++;
    boolean reuse = reusable && nothingLeft && channel.isActive();
    if (!reuse) {
      channel.close();
    }
    listener.complete(this, reuse);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    client.closed(this);
    if (current == null) {
      return;
    }
    CloseOutcome outcome = parser.closed();
    if (completed) {
      deliverCompletion(true);
      return;
    }
    ResponseListener listener = current;
    current = null;
    listener.failed(
        failure != null ? failure : new ClosedChannelException(),
        outcome,
        outcome == CloseOutcome.NO_ANSWER && served > 0);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failure == null) {
      failure = cause;
    }
    ctx.close();
  }

  // Http1ResponseParser.Handler: called during feed/closed

  @Override
  public void head(Http1Head head) {
    current.head(head);
  }

  @Override
  public void body(ByteBuf buf, int index, int length) {
    current.body(buf, index, length);
  }

  @Override
  public void complete(boolean reusable) {
    this.completed = true;
    this.reusable = reusable;
  }
}
