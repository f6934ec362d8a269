package dev.segmentrelay.loadtest.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the viewers are: regions with their share of the viewers and the networks their client
 * addresses come from. Viewer {@code i} gets its region by smooth weighted round robin, so that
 * every prefix of the viewers (a ramp that has started 10% of them) already has the mix, and an
 * address that is the region's {@code k}-th for its {@code k}-th viewer.
 *
 * <p>Built-in networks are the demo GeoIP database's (infra/geoip/README.md): {@code de}
 * 192.0.2.0/24 (Frankfurt), {@code jp} 198.51.100.0/24 (Tokyo), {@code th} 203.0.113.0/24 (Bangkok)
 * and the /18s of 198.18.0.0/15 for {@code us}, {@code br}, {@code au}, {@code gb}, {@code sg},
 * {@code in} and {@code za}. {@code --region-cidr CODE=CIDR} adds networks for a real database and
 * replaces a built-in region's.
 */
public final class RegionMix {
  /** The mix without {@code --region}: one region, no simulated address. */
  public static final String DEFAULT_REGION = "default";

  private static final Map<String, List<String>> DEMO_NETWORKS = demoNetworks();

  /** One region: its code, percent of the viewers and networks. */
  public record Region(String code, int percent, List<AddressRange> networks) {
    public Region {
      networks = List.copyOf(networks);
    }
  }

  private final List<Region> regions;
  private final int[] counts;

  private RegionMix(List<Region> regions) {
    this.regions = List.copyOf(regions);
    this.counts = new int[regions.size()];
  }

  /** Every viewer in {@link #DEFAULT_REGION}, with no client address of its own. */
  public static RegionMix none() {
    return new RegionMix(List.of(new Region(DEFAULT_REGION, 100, List.of())));
  }

  /**
   * The mix of {@code --region jp=20,th=10,de=70} and {@code --region-cidr jp=10.1.0.0/16,...}.
   *
   * @param percents region code to percent, in order; empty means {@link #none()}
   * @param cidrs {@code CODE=CIDR} items, several per code allowed
   * @throws IllegalArgumentException whose message starts with the option at fault ({@code
   *     --region} or {@code --region-cidr})
   */
  public static RegionMix parse(Map<String, String> percents, List<String> cidrs) {
    Map<String, List<AddressRange>> custom = new LinkedHashMap<>();
    for (String item : cidrs) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--region-cidr: '" + item + "' is not CODE=CIDR, e.g. jp=198.51.100.0/24");
      }
      String code = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      try {
        custom
            .computeIfAbsent(code, c -> new ArrayList<>())
            .add(AddressRange.parse(item.substring(eq + 1)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--region-cidr: " + e.getMessage(), e);
      }
    }
    if (percents.isEmpty()) {
      if (!custom.isEmpty()) {
        throw new IllegalArgumentException(
            "--region-cidr: is set but --region is not: give the mix, e.g. --region jp=50,de=50");
      }
      return none();
    }
    List<Region> regions = new ArrayList<>();
    int total = 0;
    for (Map.Entry<String, String> entry : percents.entrySet()) {
      String code = entry.getKey().trim().toLowerCase(Locale.ROOT);
      if (!code.matches("[a-z][a-z0-9_-]{0,31}")) {
        throw new IllegalArgumentException(
            "--region: '" + entry.getKey() + "' is not a region code such as jp or de");
      }
      int percent;
      try {
        percent = Integer.parseInt(entry.getValue().trim().replace("%", ""));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--region: '" + entry.getValue() + "' for " + code + " is not a whole percent", e);
      }
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException(
            "--region: " + percent + " for " + code + " is not a percent in 0-100");
      }
      List<AddressRange> networks = custom.get(code);
      if (networks == null) {
        List<String> demo = DEMO_NETWORKS.get(code);
        if (demo == null) {
          throw new IllegalArgumentException(
              "--region: no addresses known for '"
                  + code
                  + "'; built in are "
                  + String.join(", ", DEMO_NETWORKS.keySet())
                  + "; add one with --region-cidr "
                  + code
                  + "=CIDR");
        }
        networks = demo.stream().map(AddressRange::parse).toList();
      }
      regions.add(new Region(code, percent, networks));
      total += percent;
    }
    for (String code : custom.keySet()) {
      if (!percents.keySet().stream().anyMatch(c -> c.trim().equalsIgnoreCase(code))) {
        throw new IllegalArgumentException(
            "--region-cidr: region '" + code + "' is not in --region; give it a share there");
      }
    }
    if (total != 100) {
      throw new IllegalArgumentException("--region: the percents add up to " + total + ", not 100");
    }
    return new RegionMix(regions);
  }

  public List<Region> regions() {
    return regions;
  }

  /** A viewer's place: its region and simulated client address (none without --region). */
  public record Placement(String region, Optional<String> clientAddress) {}

  /**
   * Places the viewers in order: call it for viewer 0, 1, 2… once each (not thread-safe). Smooth
   * weighted round robin: the region furthest behind its share gets the next viewer.
   */
  public Placement next() {
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    int best = 0;
    double bestDeficit = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < regions.size(); r++) {
      double deficit = (total + 1) * regions.get(r).percent() / 100.0 - counts[r];
      if (deficit > bestDeficit) {
        bestDeficit = deficit;
        best = r;
      }
    }
    Region region = regions.get(best);
    int k = counts[best]++;
    if (region.networks().isEmpty()) {
      return new Placement(region.code(), Optional.empty());
    }
    AddressRange network = region.networks().get(k % region.networks().size());
    return new Placement(region.code(), Optional.of(network.address(k / region.networks().size())));
  }

  private static Map<String, List<String>> demoNetworks() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("de", List.of("192.0.2.0/24"));
    m.put("jp", List.of("198.51.100.0/24"));
    m.put("th", List.of("203.0.113.0/24"));
    m.put("us", List.of("198.18.0.0/18", "198.19.192.0/18"));
    m.put("br", List.of("198.18.64.0/18"));
    m.put("au", List.of("198.18.128.0/18"));
    m.put("gb", List.of("198.18.192.0/18"));
    m.put("sg", List.of("198.19.0.0/18"));
    m.put("in", List.of("198.19.64.0/18"));
    m.put("za", List.of("198.19.128.0/18"));
    return m;
  }
}
