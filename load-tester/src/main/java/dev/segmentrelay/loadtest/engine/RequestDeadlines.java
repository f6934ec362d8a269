package dev.segmentrelay.loadtest.engine;

/**
 * The request timeouts of every request on one event loop ({@link Http1Client#deadlines()}), in one
 * list swept by one periodic timer, instead of a timer set and cancelled per request (a
 * priority-queue insert and removal among thousands of pending timers, per request).
 *
 * <p>Every request on a loop has the same timeout, so deadlines arrive in (nearly) increasing
 * order: a new one goes to the tail of an intrusive doubly linked list, a finished request unlinks
 * itself in O(1), and the sweep expires entries from the head while they are due. A timeout thus
 * fires up to {@link #SWEEP_MILLIS} late.
 *
 * <p><b>Threads.</b> Only the event loop's thread touches the list.
 */
final class RequestDeadlines {
  static final long SWEEP_MILLIS = 50;

  /** A request that can time out; linked into at most one list at a time. */
  abstract static class Entry {
    private Entry prev;
    private Entry next;
    private long deadlineNanos;
    private boolean linked;

    /** Called on the event loop when the deadline has passed; the entry is already unlinked. */
    abstract void expired();
  }

  private final Entry head =
      new Entry() {
        @Override
        void expired() {}
      };

  RequestDeadlines() {
    head.prev = head;
    head.next = head;
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
