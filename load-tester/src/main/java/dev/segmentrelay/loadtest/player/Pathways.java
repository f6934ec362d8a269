package dev.segmentrelay.loadtest.player;

import java.util.ArrayList;
import java.util.List;

/**
 * Content-steering pathways (HLS {@code PATHWAY-ID}, DASH {@code serviceLocation}) of one player:
 * the ones the manifest offers, the steering server's priority, and the ones penalised after a
 * failure. The best pathway is the first in priority order (pathways the server does not list come
 * after, in manifest order) that is not penalised.
 */
final class Pathways {
  private final List<String> offered;
  private List<String> priority = List.of();
  private final List<String> penalised = new ArrayList<>(2);
  private final List<Long> penalisedUntil = new ArrayList<>(2);
  private String current;

  Pathways(List<String> offered, String initial) {
    this.offered = List.copyOf(offered);
    this.current = initial;
  }

  String current() {
    return current;
  }

  void setCurrent(String pathway) {
    current = pathway;
  }

  List<String> offered() {
    return offered;
  }

  void prioritise(List<String> order) {
    priority = List.copyOf(order);
  }

  void penalise(String pathway, long until) {
    int i = penalised.indexOf(pathway);
    if (i >= 0) {
      penalisedUntil.set(i, until);
    } else {
      penalised.add(pathway);
      penalisedUntil.add(until);
    }
  }

  boolean isPenalised(String pathway, long now) {
    int i = penalised.indexOf(pathway);
    if (i < 0) {
      return false;
    }
    if (penalisedUntil.get(i) <= now) {
      penalised.remove(i);
      penalisedUntil.remove(i);
      return false;
    }
    return true;
  }

  /** The best pathway at {@code now}, or null when every one is penalised. */
  String best(long now) {
    for (String p : priority) {
      if (offered.contains(p) && !isPenalised(p, now)) {
        return p;
      }
    }
    for (String p : offered) {
      if (!priority.contains(p) && !isPenalised(p, now)) {
        return p;
      }
    }
    return null;
  }
}
