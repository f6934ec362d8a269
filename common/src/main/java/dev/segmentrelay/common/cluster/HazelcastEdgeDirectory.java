package dev.segmentrelay.common.cluster;

import com.hazelcast.cluster.Cluster;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.replicatedmap.ReplicatedMap;
import dev.segmentrelay.common.registry.EdgeDirectory;
import dev.segmentrelay.common.registry.EdgeRecord;
import dev.segmentrelay.common.registry.SegmentEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code edges} map as a Hazelcast {@link ReplicatedMap}.
 *
 * <p><b>Why a replicated map.</b> Every member holds the whole map, so {@link #entries()}, the
 * snapshot a watcher starts from and every event are local: a router never waits on another member
 * to read the table, not even on a frozen one. (An {@code IMap} would send each read to the key's
 * partition owner.) Writes do go through the key's partition owner, which then replicates them to
 * every member asynchronously; a write therefore waits while that owner is frozen, until it is
 * declared dead and the partition moves. {@link #report} and {@link #remove} hand their write to a
 * {@link LatestWinsWriter} thread and return at once, so an edge's report timer never blocks.
 *
 * <p><b>How an entry disappears.</b> (1) Its time to live passes without a new report: each member
 * evicts its replica and the listener sees {@code evicted}. (2) The edge removes it. (3) Its member
 * leaves the cluster ({@code kill -9} is noticed in well under a second, a frozen member after
 * max-no-heartbeat): a membership listener removes every entry written by that member and tells the
 * watchers at once instead of after the time to live. Entries carry the writer's member UUID:
 * {@link #report} stamps it, because a member that merges back after a split gets a new UUID.
 *
 * <p><b>Watchers</b> receive each removal once: {@link #told} remembers which ids they were told
 * about (and by which member), so the removal that the membership listener reports first and the
 * replicated remove that follows are one event. An update written by a member that is no longer in
 * the cluster (a replication that arrives late) is ignored.
 */
final class HazelcastEdgeDirectory implements EdgeDirectory {
  private static final Logger log = LoggerFactory.getLogger(HazelcastEdgeDirectory.class);

  /** Writer keys of edge entries (stream entries use {@code stream/}). */
  private static final String KEY_PREFIX = "edge/";

  private final ReplicatedMap<String, EdgeRecord> map;
  private final Cluster cluster;
  private final LatestWinsWriter writer;
  private final Supplier<String> localMemberId;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** Edge id → member id of the entry watchers were last told about. */
  private final Map<String, String> told = new ConcurrentHashMap<>();

  private final UUID entryListener;
  private final UUID membershipListener;

  HazelcastEdgeDirectory(
      ReplicatedMap<String, EdgeRecord> map,
      Cluster cluster,
      LatestWinsWriter writer,
      Supplier<String> localMemberId) {
    this.map = map;
    this.cluster = cluster;
    this.writer = writer;
    this.localMemberId = localMemberId;
    this.entryListener = map.addEntryListener(new Events());
    this.membershipListener =
        cluster.addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent event) {}

              @Override
              public void memberRemoved(MembershipEvent event) {
                memberLeft(event.getMember().getUuid().toString());
              }
            });
  }

  @Override
  public void report(EdgeRecord record, Duration ttl) {
    if (ttl.toMillis() <= 0) {
      throw new IllegalArgumentException(
          "edge " + record.id() + ": time to live " + ttl + " must be at least 1 ms");
    }
    writer.submit(
        KEY_PREFIX + record.id(),
        () -> {
          EdgeRecord stamped = withMember(record, localMemberId.get());
          map.put(record.id(), stamped, ttl.toMillis(), TimeUnit.MILLISECONDS);
        });
  }

  @Override
  public void remove(String edgeId) {
    writer.submit(KEY_PREFIX + edgeId, () -> map.remove(edgeId));
  }

  @Override
  public Collection<EdgeRecord> entries() {
    Set<String> live = liveMembers();
    List<EdgeRecord> records = new ArrayList<>();
    for (EdgeRecord record : map.values()) {
      if (isLive(record, live)) {
        records.add(record);
      }
    }
    return records;
  }

  @Override
  public SegmentEvents.Subscription watch(Listener listener) {
    listeners.add(listener);
    for (EdgeRecord record : entries()) {
      told.put(record.id(), record.memberId());
      notify(() -> listener.updated(record));
    }
    return () -> listeners.remove(listener);
  }

  /** Stops listening to the cluster. */
  void close() {
    listeners.clear();
    try {
      map.removeEntryListener(entryListener);
      cluster.removeMembershipListener(membershipListener);
    } catch (RuntimeException e) {
      log.debug("edge directory listeners not removed: {}", e.toString());
    }
  }

  private void updated(EdgeRecord record) {
    if (!isLive(record, liveMembers())) {
      // Written by a member that has left: a late replication, not a live edge.
      return;
    }
    told.put(record.id(), record.memberId());
    for (Listener listener : listeners) {
      notify(() -> listener.updated(record));
    }
  }

  private void removed(String edgeId) {
    if (told.remove(edgeId) == null) {
      return;
    }
    for (Listener listener : listeners) {
      notify(() -> listener.removed(edgeId));
    }
  }

  private void memberLeft(String memberId) {
    List<String> gone = new ArrayList<>();
    told.forEach(
        (edgeId, member) -> {
          if (member.equals(memberId) && told.remove(edgeId, member)) {
            gone.add(edgeId);
          }
        });
    for (String edgeId : gone) {
      for (Listener listener : listeners) {
        notify(() -> listener.removed(edgeId));
      }
    }
    for (EdgeRecord record : map.values()) {
      if (record.memberId().equals(memberId)) {
        writer.submit(
            KEY_PREFIX + record.id(),
            () -> {
              EdgeRecord current = map.get(record.id());
              if (current != null && current.memberId().equals(memberId)) {
                map.remove(record.id());
              }
            });
        gone.add(record.id());
      }
    }
    if (!gone.isEmpty()) {
      log.info("member {} left the cluster: edge(s) {} removed", memberId, new HashSet<>(gone));
    }
  }

  private Set<String> liveMembers() {
    Set<String> live = new HashSet<>();
    for (Member member : cluster.getMembers()) {
      live.add(member.getUuid().toString());
    }
    return live;
  }

  /** Entries without a member id (enrolled over HTTPS by a router) are not tied to a member. */
  private static boolean isLive(EdgeRecord record, Set<String> liveMembers) {
    return record.memberId().isEmpty() || liveMembers.contains(record.memberId());
  }

  static EdgeRecord withMember(EdgeRecord r, String memberId) {
    if (r.memberId().equals(memberId)) {
      return r;
    }
    return new EdgeRecord(
        r.id(),
        r.publicUrl(),
        r.addresses(),
        r.site(),
        r.latitude(),
        r.longitude(),
        r.country(),
        r.capacityMbps(),
        r.capacityViewers(),
        r.state(),
        r.load(),
        r.reportedAt(),
        memberId,
        r.adminUrl());
  }

  private static void notify(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      log.warn("edge directory listener failed: {}", e.toString());
    }
  }

  /** Map events, on Hazelcast's event threads (ordered per key). */
  private final class Events implements EntryListener<String, EdgeRecord> {
    @Override
    public void entryAdded(EntryEvent<String, EdgeRecord> event) {
      updated(event.getValue());
    }

    @Override
    public void entryUpdated(EntryEvent<String, EdgeRecord> event) {
      updated(event.getValue());
    }

    @Override
    public void entryRemoved(EntryEvent<String, EdgeRecord> event) {
      removed(event.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, EdgeRecord> event) {
      removed(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, EdgeRecord> event) {
      removed(event.getKey());
    }

    @Override
    public void mapCleared(MapEvent event) {
      List.copyOf(told.keySet()).forEach(HazelcastEdgeDirectory.this::removed);
    }

    @Override
    public void mapEvicted(MapEvent event) {
      mapCleared(event);
    }
  }
}
