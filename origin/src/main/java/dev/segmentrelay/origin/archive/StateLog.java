package dev.segmentrelay.origin.archive;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.RandomAccess;
import java.util.regex.Pattern;

/**
 * Every segment a rendition (HLS) or representation (DASH) published, as the archive state keeps
 * it: sealed chunks of {@link #chunkSize()} entries, each written to S3 once as its own object, and
 * the unsealed tail, which the state's head object carries inline. The head names the chunks by
 * {@link Range}s (a name prefix and a count), so its size depends on the tail and on how many
 * origin runs the stream has seen, never on the stream's age.
 *
 * <p><b>Threading.</b> A log is confined to its stream's context. {@link #snapshot()} is O(number
 * of ranges) and shares storage with the log: sealed chunks are immutable, the chunk array and the
 * tail array are only ever written past the indexes a snapshot reads, and a full array is replaced,
 * never changed. A snapshot handed to another thread through an executor therefore reads a fixed
 * list while the log keeps growing.
 *
 * <p><b>Names.</b> Chunk {@code i} of a range is named {@code {prefix}-{i}}. The stream gives each
 * log a prefix unique for the stream's life (an epoch tag of the current origin run and an ordinal)
 * so a chunk name is never reused; a restored log continues under a new prefix and keeps naming the
 * restored ranges as they were.
 *
 * @param <T> the entry (a published segment)
 */
public final class StateLog<T> extends AbstractList<T> implements RandomAccess {
  /** Entries per sealed chunk unless a stream says otherwise. */
  public static final int DEFAULT_CHUNK_SIZE = 256;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,120}");

  private final int chunkSize;
  private final String prefix;
  private Chunk<T>[] chunks;
  private int chunkCount;
  private int sealedEntries;
  private Object[] tail;
  private int tailSize;
  private List<Range> ranges = List.of();
  private final List<Chunk<T>> unwritten = new ArrayList<>();

  /**
   * @param prefix names this log's new chunks; unique for the stream's life
   * @throws IllegalArgumentException naming the bad value
   */
  public StateLog(int chunkSize, String prefix) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be positive, not " + chunkSize);
    }
    requireName(prefix);
    this.chunkSize = chunkSize;
    this.prefix = prefix;
    this.chunks = newChunkArray(8);
    this.tail = new Object[chunkSize];
  }

  /**
   * A log continuing {@code restored} (read back from the archive): the restored chunks keep their
   * names, new chunks are named after {@code prefix}. A restored tail longer than a chunk (a state
   * of the older single-object format) is sealed at once; see {@link #takeSealed()}.
   */
  public static <T> StateLog<T> restored(int chunkSize, String prefix, Snapshot<T> restored) {
    StateLog<T> log = new StateLog<>(chunkSize, prefix);
    log.ranges = restored.ranges;
    for (int i = 0; i < restored.chunkCount; i++) {
      Chunk<T> c = restored.chunks[i];
      log.appendChunk(new Chunk<>(c.name(), log.sealedEntries, c.entries()));
    }
    for (int i = 0; i < restored.tailSize; i++) {
      log.add(restored.tailEntry(i));
    }
    return log;
  }

  static void requireName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "'" + name + "' is not a state chunk name ([A-Za-z0-9_-], at most 120)");
    }
  }

  public int chunkSize() {
    return chunkSize;
  }

  /**
   * Appends; when the tail is full it is sealed into a chunk that {@link #takeSealed()} returns.
   */
  @Override
  public boolean add(T entry) {
    tail[tailSize++] = entry;
    if (tailSize == chunkSize) {
      seal();
    }
    return true;
  }

  /**
   * Seals the tail as a (short) chunk now: for a log that will not grow any more (a closed DASH
   * epoch), so that heads stop carrying its entries inline. Nothing happens to an empty tail.
   */
  public void sealTail() {
    if (tailSize > 0) {
      seal();
    }
  }

  /**
   * The chunks sealed since the last call, oldest first: the caller queues each for writing before
   * the next head that names it.
   */
  public List<Chunk<T>> takeSealed() {
    if (unwritten.isEmpty()) {
      return List.of();
    }
    List<Chunk<T>> out = List.copyOf(unwritten);
    unwritten.clear();
    return out;
  }

  /** An immutable view of the log as it is now, sharing storage with it (see the class notes). */
  public Snapshot<T> snapshot() {
    return new Snapshot<>(chunks, chunkCount, sealedEntries, tail, tailSize, ranges);
  }

  @Override
  public T get(int index) {
    return entry(chunks, chunkCount, sealedEntries, tail, tailSize, index);
  }

  @Override
  public int size() {
    return sealedEntries + tailSize;
  }

  private void seal() {
    @SuppressWarnings("unchecked")
    List<T> entries =
        (List<T>) Collections.unmodifiableList(Arrays.asList(tail).subList(0, tailSize));
    int index;
    Range last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
    List<Range> next = new ArrayList<>(ranges);
    if (last != null && last.prefix().equals(prefix)) {
      index = last.count();
      next.set(next.size() - 1, new Range(prefix, index + 1));
    } else {
      index = 0;
      next.add(new Range(prefix, 1));
    }
    ranges = List.copyOf(next);
    Chunk<T> chunk = new Chunk<>(prefix + "-" + index, sealedEntries, entries);
    appendChunk(chunk);
    unwritten.add(chunk);
    tail = new Object[chunkSize];
    tailSize = 0;
  }

  private void appendChunk(Chunk<T> chunk) {
    if (chunkCount == chunks.length) {
      chunks = Arrays.copyOf(chunks, chunkCount * 2);
    }
    chunks[chunkCount++] = chunk;
    sealedEntries += chunk.entries().size();
  }

  @SuppressWarnings("unchecked")
  private static <T> Chunk<T>[] newChunkArray(int n) {
    return (Chunk<T>[]) new Chunk<?>[n];
  }

  @SuppressWarnings("unchecked")
  private static <T> T entry(
      Chunk<T>[] chunks, int chunkCount, int sealed, Object[] tail, int tailSize, int index) {
    if (index < 0 || index >= sealed + tailSize) {
      throw new IndexOutOfBoundsException(index);
    }
    if (index >= sealed) {
      return (T) tail[index - sealed];
    }
    int lo = 0;
    int hi = chunkCount - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (chunks[mid].start() <= index) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    // The last chunk starting at or before index holds it: a chunk lost at restore holds nothing
    // and shares its start with the next one, which the search prefers.
    return chunks[lo].entries().get(index - chunks[lo].start());
  }

  /**
   * A run of chunks named {@code {prefix}-0} to {@code {prefix}-{count-1}} (one per origin run and
   * log).
   */
  public record Range(String prefix, int count) {
    public Range {
      requireName(prefix);
      if (count < 0) {
        throw new IllegalArgumentException("chunk count must not be negative, not " + count);
      }
    }

    public String name(int i) {
      return prefix + "-" + i;
    }
  }

  /**
   * A sealed chunk: its name, the index of its first entry in the log, its entries (empty for a
   * chunk that could not be read back at restore).
   */
  public record Chunk<T>(String name, int start, List<T> entries) {
    public int size() {
      return entries.size();
    }
  }

  /** An immutable view of a log: its ranges, its sealed chunks and its tail. */
  public static final class Snapshot<T> extends AbstractList<T> implements RandomAccess {
    private final Chunk<T>[] chunks;
    private final int chunkCount;
    private final int sealedEntries;
    private final Object[] tail;
    private final int tailSize;
    private final List<Range> ranges;

    private Snapshot(
        Chunk<T>[] chunks,
        int chunkCount,
        int sealedEntries,
        Object[] tail,
        int tailSize,
        List<Range> ranges) {
      this.chunks = chunks;
      this.chunkCount = chunkCount;
      this.sealedEntries = sealedEntries;
      this.tail = tail;
      this.tailSize = tailSize;
      this.ranges = ranges;
    }

    /** Everything unsealed: a list given whole, as the older single-object state listed it. */
    public static <T> Snapshot<T> ofTail(List<? extends T> entries) {
      return new Snapshot<>(newChunkArray(0), 0, 0, entries.toArray(), entries.size(), List.of());
    }

    /**
     * A restored log: {@code chunks} in the order {@code ranges} names them (a lost one with no
     * entries), then {@code tail}.
     *
     * @throws IllegalArgumentException when the chunks are not the ones the ranges name
     */
    public static <T> Snapshot<T> of(
        List<Range> ranges, List<Chunk<T>> chunks, List<? extends T> tail) {
      Chunk<T>[] array = newChunkArray(chunks.size());
      int sealed = 0;
      int i = 0;
      for (Range r : ranges) {
        for (int k = 0; k < r.count(); k++, i++) {
          if (i >= chunks.size() || !chunks.get(i).name().equals(r.name(k))) {
            throw new IllegalArgumentException("chunk " + r.name(k) + " is not in its place");
          }
          Chunk<T> c = chunks.get(i);
          array[i] = new Chunk<>(c.name(), sealed, List.copyOf(c.entries()));
          sealed += c.size();
        }
      }
      if (i != chunks.size()) {
        throw new IllegalArgumentException(
            (chunks.size() - i) + " chunk(s) more than the ranges name");
      }
      return new Snapshot<>(array, i, sealed, tail.toArray(), tail.size(), List.copyOf(ranges));
    }

    public List<Range> ranges() {
      return ranges;
    }

    /** The sealed chunks, oldest first. */
    public List<Chunk<T>> chunks() {
      return Collections.unmodifiableList(Arrays.asList(chunks).subList(0, chunkCount));
    }

    /** The entries after the sealed chunks (inline in the head). */
    public List<T> tail() {
      return subList(sealedEntries, size());
    }

    @SuppressWarnings("unchecked")
    T tailEntry(int i) {
      return (T) tail[i];
    }

    @Override
    public T get(int index) {
      return entry(chunks, chunkCount, sealedEntries, tail, tailSize, index);
    }

    @Override
    public int size() {
      return sealedEntries + tailSize;
    }
  }
}
