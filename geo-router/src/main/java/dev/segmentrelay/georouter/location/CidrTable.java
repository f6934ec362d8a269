package dev.segmentrelay.georouter.location;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable longest-prefix-match table from CIDR networks to values.
 *
 * <p>Design: one binary trie per family (IPv4, IPv6), flattened into parallel int arrays so a
 * lookup is a walk of at most 32 or 128 array reads with no allocation besides the address bytes.
 * The deepest node on the path that holds an entry wins, which is the longest prefix. IPv4-mapped
 * IPv6 addresses ({@code ::ffff:a.b.c.d}) are looked up in the IPv4 trie. Tables are built once
 * from configuration and swapped whole, so there is no locking: every field is final.
 *
 * @param <T> the value type
 */
public final class CidrTable<T> {
  /** A matched network and its value. */
  public record Match<T>(Cidr network, T value) {}

  private static final CidrTable<?> EMPTY = new Builder<Object>().build();

  private final Trie<T> v4;
  private final Trie<T> v6;
  private final int size;

  private CidrTable(Trie<T> v4, Trie<T> v6, int size) {
    this.v4 = v4;
    this.v6 = v6;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  public static <T> CidrTable<T> empty() {
    return (CidrTable<T>) EMPTY;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** The most specific network holding the address, if any. */
  public Optional<Match<T>> longestMatch(InetAddress address) {
    return Optional.ofNullable(matchOrNull(address.getAddress()));
  }

  /** The value of the most specific network holding the address, if any. */
  public Optional<T> lookup(InetAddress address) {
    Match<T> m = matchOrNull(address.getAddress());
    return m == null ? Optional.empty() : Optional.of(m.value());
  }

  /** True when some network holds the address. */
  public boolean containsAddress(InetAddress address) {
    return matchOrNull(address.getAddress()) != null;
  }

  /** The match for 4 or 16 address bytes, or {@code null}: the allocation-free hot path. */
  Match<T> matchOrNull(byte[] address) {
    if (address.length == 4) {
      return v4.match(address, 0, 32);
    }
    if (IpLiterals.isV4Mapped(address)) {
      return v4.match(address, 12, 32);
    }
    return v6.match(address, 0, 128);
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public String toString() {
    return "CidrTable(" + size + " networks)";
  }

  private static final class Trie<T> {
    private final int[] zero; // child index for bit 0; 0 = none (the root is never a child)
    private final int[] one;
    private final Match<T>[] entries;

    Trie(int[] zero, int[] one, Match<T>[] entries) {
      this.zero = zero;
      this.one = one;
      this.entries = entries;
    }

    Match<T> match(byte[] address, int offset, int bits) {
      Match<T> best = entries[0];
      int node = 0;
      for (int i = 0; i < bits; i++) {
        int bit = (address[offset + (i >>> 3)] >>> (7 - (i & 7))) & 1;
        node = bit == 0 ? zero[node] : one[node];
        if (node == 0) {
          break;
        }
        Match<T> m = entries[node];
        if (m != null) {
          best = m;
        }
      }
      return best;
    }
  }

  /** Collects networks; a network given twice with different values is an error. */
  public static final class Builder<T> {
    private final Map<Cidr, T> entries = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds a network.
     *
     * @throws IllegalArgumentException when the same network was added with another value
     */
    public Builder<T> put(Cidr network, T value) {
      Objects.requireNonNull(network, "network");
      Objects.requireNonNull(value, "value");
      T old = entries.putIfAbsent(network, value);
      if (old != null && !old.equals(value)) {
        throw new IllegalArgumentException(
            "network " + network + " is given twice, as " + old + " and as " + value);
      }
      return this;
    }

    public CidrTable<T> build() {
      List<Match<T>> four = new ArrayList<>();
      List<Match<T>> six = new ArrayList<>();
      entries.forEach((cidr, value) -> (cidr.isIpv4() ? four : six).add(new Match<>(cidr, value)));
      return new CidrTable<>(trie(four), trie(six), entries.size());
    }

    @SuppressWarnings("unchecked")
    private static <T> Trie<T> trie(List<Match<T>> matches) {
      int capacity = 1;
      for (Match<T> m : matches) {
        capacity += m.network().prefixLength();
      }
      int[] zero = new int[capacity];
      int[] one = new int[capacity];
      Match<T>[] entries = (Match<T>[]) new Match<?>[capacity];
      int nodes = 1;
      for (Match<T> m : matches) {
        byte[] b = m.network().bytes();
        int node = 0;
        for (int i = 0; i < m.network().prefixLength(); i++) {
          int bit = (b[i >>> 3] >>> (7 - (i & 7))) & 1;
          int[] side = bit == 0 ? zero : one;
          if (side[node] == 0) {
            side[node] = nodes++;
          }
          node = side[node];
        }
        entries[node] = m;
      }
      return new Trie<>(
          Arrays.copyOf(zero, nodes), Arrays.copyOf(one, nodes), Arrays.copyOf(entries, nodes));
    }
  }
}
