package dev.segmentrelay.loadtest.engine;

import io.vertx.core.Context;

/**
 * The request timeouts of every {@link VertxFetcher} on one event-loop context, in one list swept
 * by one periodic timer, instead of a Vert.x timer set and cancelled per request (a priority-queue
 * insert and removal among thousands of pending timers, per request).
 *
 * <p>Every request on a loop has the same timeout, so deadlines arrive in (nearly) increasing
 * order: a new one goes to the tail of an intrusive doubly linked list, a finished request unlinks
 * itself in O(1), and the sweep expires entries from the head while they are due. A timeout thus
 * fires up to {@link #SWEEP_MILLIS} late.
 *
 * <p><b>Threads.</b> Only the context's thread touches the list: {@link #on} and every method are
 * called on the context.
 */
final class RequestDeadlines {
  static final long SWEEP_MILLIS = 50;
  private static final Object KEY = new Object();

  /** A request that can time out; linked into at most one list at a time. */
  abstract static class Entry {
    private Entry prev;
    private Entry next;
    private long deadlineNanos;
    private boolean linked;

    /** Called on the context when the deadline has passed; the entry is already unlinked. */
    abstract void expired();
  }

  private final Entry head =
      new Entry() {
        @Override
        void expired() {}
      };

  private RequestDeadlines() {
    head.prev = head;
    head.next = head;
  }

  /** The list of {@code context}, created with its sweep timer on first use; call on it. */
  static RequestDeadlines on(Context context) {
    RequestDeadlines d = context.get(KEY);
    if (d == null) {
      d = new RequestDeadlines();
      context.put(KEY, d);
      RequestDeadlines list = d;
      // The timer may fire on another context of the loop: the sweep is handed to ours.
      context
          .owner()
          .setPeriodic(
              SWEEP_MILLIS, id -> context.runOnContext(v -> list.sweep(System.nanoTime())));
    }
    return d;
  }

  /** Expires {@code entry} at {@code deadlineNanos} (System.nanoTime) unless removed before. */
  void add(Entry entry, long deadlineNanos) {
    remove(entry);
    entry.deadlineNanos = deadlineNanos;
    entry.prev = head.prev;
    entry.next = head;
    head.prev.next = entry;
    head.prev = entry;
    entry.linked = true;
  }

  void remove(Entry entry) {
    if (!entry.linked) {
      return;
    }
    entry.prev.next = entry.next;
    entry.next.prev = entry.prev;
    entry.prev = null;
    entry.next = null;
    entry.linked = false;
  }

  /** Expires the due entries at the head. */
  void sweep(long nowNanos) {
    while (head.next != head && head.next.deadlineNanos - nowNanos <= 0) {
      Entry e = head.next;
      remove(e);
      e.expired();
    }
  }
}
