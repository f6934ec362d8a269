package dev.segmentrelay.loadtest.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP/1.1 client of one load-tester event loop: keep-alive connections pooled per origin, at
 * most {@code maxPerOrigin} each, requests beyond that waiting in arrival order.
 *
 * <p><b>Why not a general client.</b> A virtual viewer costs the load tester CPU mainly per
 * request, and issue 5 bounds that cost against {@code wrk}. A general client (Vert.x's, Netty's
 * HTTP codec) builds a header map, futures and message objects per request; this one writes the
 * request bytes itself and reads only the status and the few headers a player needs ({@link
 * Http1ResponseParser}), counting body bytes in place. GET only, no pipelining, no compression.
 *
 * <p><b>Threads.</b> One client per event loop; every method is called on that loop, and every
 * connection lives there, so nothing is shared or locked.
 */
final class Http1Client {
  /** Where a connection goes: one pool each. */
  record Origin(String host, int port, boolean ssl) {}

  /** A request waiting for a connection. */
  interface Waiter {
    /**
     * A connection for the request.
     *
     * @return false when the request no longer wants it (it timed out): it goes to the next
     */
    boolean ready(Http1Connection connection);

    /** No connection could be made. */
    void connectFailed(Throwable cause);
  }

  private static final class Pool {
    final Origin origin;
    final ArrayDeque<Http1Connection> idle = new ArrayDeque<>();
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    int open; // connected and connecting

    Pool(Origin origin) {
      this.origin = origin;
    }
  }

  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final int maxPerOrigin;
  private final SslContext sslContext; // null: the JDK's default trust, made on first use
  private final Map<Origin, Pool> pools = new HashMap<>();
  private final RequestDeadlines deadlines = new RequestDeadlines();
  private SslContext defaultSsl;
  private boolean closed;

  /**
   * @param loop the event loop every connection and callback lives on
   * @param channelType the socket channel class of the loop's transport (epoll or NIO)
   * @param sslContext for {@code https} origins; null for the JDK's default trust and host checks
   */
  Http1Client(
      EventLoop loop,
      Class<? extends Channel> channelType,
      int maxPerOrigin,
      int connectTimeoutMillis,
      SslContext sslContext) {
    if (maxPerOrigin < 1) {
      throw new IllegalArgumentException("connections per origin must be at least 1");
    }
    this.loop = loop;
    this.maxPerOrigin = maxPerOrigin;
    this.sslContext = sslContext;
    this.bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    loop.scheduleAtFixedRate(
        () -> deadlines.sweep(System.nanoTime()),
        RequestDeadlines.SWEEP_MILLIS,
        RequestDeadlines.SWEEP_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  EventLoop loop() {
    return loop;
  }

  RequestDeadlines deadlines() {
    return deadlines;
  }

  /** Finds or makes a connection to {@code origin} for {@code waiter}, or queues it. */
  void acquire(Origin origin, Waiter waiter) {
    Pool pool = pools.computeIfAbsent(origin, Pool::new);
    Http1Connection idle;
    while ((idle = pool.idle.pollLast()) != null) { // the most recently used: warm, still open
      if (idle.isActive()) {
        if (!waiter.ready(idle)) {
          pool.idle.addLast(idle);
        }
        return;
      }
    }
    if (closed) {
      waiter.connectFailed(new IllegalStateException("the load tester is shutting down"));
    } else if (pool.open < maxPerOrigin) {
      pool.open++;
      connect(pool, waiter);
    } else {
      pool.waiters.addLast(waiter);
    }
  }

  /** Withdraws a queued request (it timed out while waiting). */
  void cancel(Origin origin, Waiter waiter) {
    Pool pool = pools.get(origin);
    if (pool != null) {
      pool.waiters.remove(waiter);
    }
  }

  /** Takes back a connection whose answer is complete and which may carry another request. */
  void release(Http1Connection connection) {
    Pool pool = pools.get(connection.origin);
    if (!connection.isActive()) {
      return;
    }
    Waiter next;
    while ((next = pool.waiters.pollFirst()) != null) {
      if (next.ready(connection)) {
        return;
      }
    }
    pool.idle.addLast(connection);
  }

  /** A connection closed (called by the connection, once, after it was connected). */
  void closed(Http1Connection connection) {
    Pool pool = pools.get(connection.origin);
    pool.open--;
    pool.idle.remove(connection);
    connectForWaiters(pool);
  }

  /** Closes every pooled connection; requests still waiting fail. */
  void close() {
    closed = true;
    List<Waiter> waiting = new ArrayList<>();
    for (Pool pool : pools.values()) {
      waiting.addAll(pool.waiters);
      pool.waiters.clear();
      new ArrayList<>(pool.idle).forEach(Http1Connection::close);
    }
    IllegalStateException stop = new IllegalStateException("the load tester is shutting down");
    waiting.forEach(w -> w.connectFailed(stop));
  }

  private void connectForWaiters(Pool pool) {
    while (!closed && pool.open < maxPerOrigin && !pool.waiters.isEmpty()) {
      pool.open++;
      connect(pool, pool.waiters.pollFirst());
    }
  }

  private void connect(Pool pool, Waiter waiter) {
    Origin origin = pool.origin;
    Http1Connection connection = new Http1Connection(this, origin);
    SslContext ssl;
    try {
      ssl = origin.ssl() ? ssl() : null;
    } catch (IllegalStateException e) {
      pool.open--;
      waiter.connectFailed(e);
      return;
    }
    bootstrap
        .clone()
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                if (ssl != null) {
                  SslHandler handler = ssl.newHandler(ch.alloc(), origin.host(), origin.port());
                  SSLEngine engine = handler.engine();
                  SSLParameters params = engine.getSSLParameters();
                  params.setEndpointIdentificationAlgorithm("HTTPS");
                  engine.setSSLParameters(params);
                  ch.pipeline().addLast(handler);
                }
                ch.pipeline().addLast(connection);
              }
            })
        .connect(origin.host(), origin.port())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                pool.open--;
                waiter.connectFailed(f.cause());
                connectForWaiters(pool);
              } else if (!waiter.ready(connection)) {
                release(connection);
              }
            });
  }

  private SslContext ssl() {
    if (sslContext != null) {
      return sslContext;
    }
    if (defaultSsl == null) {
      try {
        defaultSsl = SslContextBuilder.forClient().build();
      } catch (SSLException e) {
        throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
      }
    }
    return defaultSsl;
  }
}
