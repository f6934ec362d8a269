package dev.segmentrelay.edge.registration;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts distinct viewer addresses seen in the last 30 s, in bounded memory, for the load report.
 *
 * <p><b>Why a sketch.</b> An exact set of addresses grows with the audience (30,000 viewers, or a
 * flood of spoofed sources) and has to be cleared and rebuilt while event loops write to it. A
 * HyperLogLog sketch has a fixed size whatever the audience: {@value #REGISTERS} one-byte registers
 * (standard error 1.04/√m ≈ 1.6 %), and below a few hundred viewers its linear-counting branch is
 * practically exact. The router only needs "about how many", so that trade is right.
 *
 * <p><b>Sliding window.</b> Time is cut into {@value #SLOT_MILLIS} ms slots, each with its own
 * sketch, in a ring of {@value #SLOTS}. Requests mark the current slot's sketch; the estimate is
 * the union (register-wise maximum) of the current slot and the six before it, so an address is
 * counted for at least 30 s (at most 35 s) after its last request. {@link #advance} (the reporter,
 * once a second, with the injected clock) moves to a new slot and clears the sketch it reuses,
 * which by then is older than the window.
 *
 * <p><b>Hot path.</b> {@link #seen} spreads the address string's (cached) {@code hashCode}, reads
 * one register and writes it only when the new rank is larger, which for an address already seen in
 * this slot is never: a repeat request costs a hash and one read. Concurrent writers from several
 * event loops use compare-and-set, so a rank is never lowered. A writer that read the slot index
 * just before it moved marks the previous slot, which is still inside the window.
 */
public final class ViewerCounter {
  static final int REGISTER_BITS = 12;
  static final int REGISTERS = 1 << REGISTER_BITS;
  static final long SLOT_MILLIS = 5_000;
  static final int SLOTS = 8;

  /** Slots whose union is the estimate: the current one and the six before it (30-35 s). */
  private static final int WINDOW_SLOTS = 7;

  private static final VarHandle REGISTER = MethodHandles.arrayElementVarHandle(byte[].class);

  private final byte[][] sketches = new byte[SLOTS][REGISTERS];
  private volatile int current;
  private long currentSlot = Long.MIN_VALUE;

  /**
   * Marks {@code clientHost} (a viewer's IP literal) as seen now. Safe from any thread; cheap: the
   * connection's address string is the same instance for every request, so its hash is cached.
   */
  public void seen(String clientHost) {
    if (clientHost != null) {
      seenHash(clientHost.hashCode());
    }
  }

  void seenHash(int hash) {
    long h = mix(hash);
    int index = (int) (h >>> (64 - REGISTER_BITS));
    // Rank: position of the first 1 bit in the remaining bits (a sentinel bounds it).
    byte rank = (byte) (Long.numberOfLeadingZeros((h << REGISTER_BITS) | (1L << 11)) + 1);
    byte[] sketch = sketches[current];
    byte old = (byte) REGISTER.getOpaque(sketch, index);
    while (rank > old) {
      if (REGISTER.compareAndSet(sketch, index, old, rank)) {
        return;
      }
      old = (byte) REGISTER.getOpaque(sketch, index);
    }
  }

  /**
   * Moves the window to {@code nowMillis}: entering a new slot clears the sketch it reuses. Called
   * from one thread (the reporter's tick).
   */
  public synchronized void advance(long nowMillis) {
    long slot = Math.floorDiv(nowMillis, SLOT_MILLIS);
    if (currentSlot == Long.MIN_VALUE) {
      currentSlot = slot;
      return;
    }
    long steps = Math.min(slot - currentSlot, SLOTS);
    for (long i = 0; i < steps; i++) {
      int next = (current + 1) % SLOTS;
      java.util.Arrays.fill(sketches[next], (byte) 0);
      current = next;
    }
    if (slot > currentSlot) {
      currentSlot = slot;
    }
  }

  /** Distinct addresses seen in the window (an estimate, exact for small counts in practice). */
  public synchronized int estimate() {
    int cur = current;
    double sum = 0;
    int zeros = 0;
    for (int r = 0; r < REGISTERS; r++) {
      int max = 0;
      for (int back = 0; back < WINDOW_SLOTS; back++) {
        int v = (byte) REGISTER.getOpaque(sketches[Math.floorMod(cur - back, SLOTS)], r);
        if (v > max) {
          max = v;
        }
      }
      if (max == 0) {
        zeros++;
      }
      sum += 1.0 / (1L << max);
    }
    double m = REGISTERS;
    double raw = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    double estimate = raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw;
    return (int) Math.round(estimate);
  }

  /** Murmur3's 64-bit finaliser: spreads a 32-bit hash over 64 well-mixed bits. */
  private static long mix(int hash) {
    long k = hash & 0xffffffffL;
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
