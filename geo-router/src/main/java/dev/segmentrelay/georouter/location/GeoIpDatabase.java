package dev.segmentrelay.georouter.location;

import com.maxmind.db.CHMCache;
import com.maxmind.db.DatabaseRecord;
import com.maxmind.db.Metadata;
import com.maxmind.db.Network;
import com.maxmind.db.Reader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * One opened MaxMind DB (GeoIP2 or GeoLite2, City or Country type), answering {@link Location}s.
 *
 * <p>Design: the file is read whole into memory ({@link Reader.FileMode#MEMORY} semantics), so an
 * operator overwriting it in place can never tear a lookup, and the bytes that were hashed and
 * verified are exactly the ones served. maxmind-db decodes the data record on every lookup (its
 * node cache only covers pointers inside records), which costs microseconds; so the lookup walks
 * the search tree itself ({@link MmdbSearchTree}) to find which record the address ends on, and
 * keeps the {@link Location} built from each record in a small direct-mapped cache keyed by that
 * record (8,192 slots: bounded memory whatever addresses arrive; a collision only decodes again).
 * Millions of addresses share a few thousand records, so a hot lookup is one tree walk, one array
 * read and no allocation beyond the address bytes. On a miss, maxmind-db's {@link Reader} decodes
 * {@link GeoIpRecord}, a small class holding only what routing needs. The matched network is
 * carried as text only on demand ({@link #locateWithNetwork}).
 *
 * <p>City databases give the record's coordinates; a City record without coordinates, and every
 * Country database record, gives the country's approximate centre ({@link CountryCentroids}).
 * Records with neither are "not found". Thread-safe; {@link #close()} must only be called once no
 * lookup can still use this instance (see {@link ReloadingGeoIp}).
 */
public final class GeoIpDatabase implements AutoCloseable {
  /** What the database can tell. */
  public enum Kind {
    /** City-level coordinates (GeoIP2/GeoLite2 City, Enterprise, DB-IP City Lite). */
    CITY,
    /** Country only: the point is the country's centroid. */
    COUNTRY
  }

  static final Object UNPLACED = new Object();
  private static final int DECODE_CACHE_ENTRIES = 4_096;
  private static final int CACHE_SLOTS = 8_192; // power of two

  private final Path path;
  private final Reader reader;
  private final Kind kind;
  private final Metadata metadata;
  private final String sha256;
  private final long sizeBytes;
  private final boolean ipv4Only;
  private final MmdbSearchTree tree;
  // Direct-mapped cache: record value -> Location (or UNPLACED). Entries are immutable, so racy
  // reads and writes of the slots are safe; a collision just decodes again.
  private final Cached[] cache = new Cached[CACHE_SLOTS];

  private record Cached(long record, Object location) {}

  private GeoIpDatabase(Path path, Reader reader, Kind kind, String sha256, byte[] bytes) {
    this.path = path;
    this.reader = reader;
    this.kind = kind;
    this.metadata = reader.getMetadata();
    this.sha256 = sha256;
    this.sizeBytes = bytes.length;
    this.ipv4Only = metadata.ipVersion() == 4;
    this.tree =
        new MmdbSearchTree(
            bytes, metadata.nodeCount(), metadata.recordSize(), metadata.ipVersion());
  }

  /**
   * Opens and verifies a database: readable, a MaxMind DB, a City or Country type, and probe
   * lookups (IPv4 and, for IPv6 trees, IPv6) decode without error.
   *
   * @throws GeoIpDatabaseException naming the path and what to do
   */
  public static GeoIpDatabase open(Path path) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new GeoIpDatabaseException(
          "GeoIP database "
              + path
              + " does not exist: pass the path of a MaxMind GeoIP2/GeoLite2 City or Country"
              + " .mmdb file (e.g. fetched with geoipupdate), or leave the GeoIP option out to"
              + " locate viewers by coverage zones and the default site only",
          e);
    } catch (AccessDeniedException e) {
      throw new GeoIpDatabaseException(
          "GeoIP database "
              + path
              + " cannot be read (permission denied): make it readable by"
              + " the user running the router",
          e);
    } catch (IOException e) {
      throw new GeoIpDatabaseException(
          "GeoIP database "
              + path
              + " cannot be read ("
              + e
              + "): check that it is a regular,"
              + " readable file",
          e);
    }
    Reader reader;
    try {
      reader = new Reader(new ByteArrayInputStream(bytes), new CHMCache(DECODE_CACHE_ENTRIES));
    } catch (IOException | RuntimeException e) {
      throw corrupt(path, e);
    }
    String type = reader.getMetadata().databaseType();
    Kind kind = kindOf(type);
    if (kind == null) {
      closeQuietly(reader);
      throw new GeoIpDatabaseException(
          "GeoIP database "
              + path
              + " is of type '"
              + type
              + "', which has no locations: use a City or Country database (GeoLite2-City,"
              + " GeoIP2-City, GeoLite2-Country or GeoIP2-Country)",
          null);
    }
    GeoIpDatabase db;
    try {
      db = new GeoIpDatabase(path, reader, kind, sha256(bytes), bytes);
      db.probe();
    } catch (IOException | RuntimeException e) {
      closeQuietly(reader);
      throw corrupt(path, e);
    }
    return db;
  }

  private static GeoIpDatabaseException corrupt(Path path, Exception e) {
    return new GeoIpDatabaseException(
        "GeoIP database "
            + path
            + " is not a valid MaxMind DB file ("
            + e.getMessage()
            + "): download it again (the .mmdb itself, not the .tar.gz or CSV edition)",
        e);
  }

  static Kind kindOf(String databaseType) {
    String t = databaseType == null ? "" : databaseType.toLowerCase(Locale.ROOT);
    if (t.contains("city") || t.contains("enterprise")) {
      return Kind.CITY;
    }
    if (t.contains("country")) {
      return Kind.COUNTRY;
    }
    return null;
  }

  private void probe() throws IOException {
    for (String a : new String[] {"1.1.1.1", "192.0.2.1", "2001:db8::1", "2a00::1"}) {
      byte[] b = IpLiterals.parse(a);
      if (b.length == 16 && ipv4Only) {
        continue;
      }
      InetAddress address = IpLiterals.toInetAddress(b);
      locateOrNull(address, b);
    }
    reader.getRecord(IpLiterals.toInetAddress(new byte[] {1, 1, 1, 1}), GeoIpRecord.class);
    reader.getRecord(IpLiterals.toInetAddress(new byte[] {(byte) 192, 0, 2, 1}), GeoIpRecord.class);
    if (metadata.ipVersion() == 6) {
      reader.getRecord(
          IpLiterals.toInetAddress(IpLiterals.parse("2001:db8::1")), GeoIpRecord.class);
      reader.getRecord(IpLiterals.toInetAddress(IpLiterals.parse("2a00::1")), GeoIpRecord.class);
    }
  }

  /**
   * The location of an address, or empty when the database has no placeable record for it. The
   * {@link Location#network()} is empty (see {@link #locateWithNetwork}).
   *
   * @throws GeoIpDatabaseException if the file turns out to be corrupt where this address leads
   */
  public Optional<Location> locate(InetAddress address) {
    return Optional.ofNullable(locateOrNull(address));
  }

  /** As {@link #locate} but with the matched network set, e.g. for explaining a decision. */
  public Optional<Location> locateWithNetwork(InetAddress address) {
    if (ipv4Only && address instanceof Inet6Address) {
      return Optional.empty();
    }
    DatabaseRecord<GeoIpRecord> r = lookup(address);
    Location l = r.data() == null ? null : build(r.data());
    if (l == null) {
      return Optional.empty();
    }
    Network n = r.network();
    Cidr network = Cidr.of(n.networkAddress(), n.prefixLength());
    return Optional.of(
        new Location(
            l.point(),
            l.source(),
            l.site(),
            l.country(),
            l.city(),
            Optional.of(network.toString())));
  }

  Location locateOrNull(InetAddress address) {
    if (ipv4Only && address instanceof Inet6Address) {
      return null;
    }
    return locateOrNull(address, address.getAddress());
  }

  /** As {@link #locateOrNull(InetAddress)} with the address bytes already at hand. */
  Location locateOrNull(InetAddress address, byte[] bytes) {
    if (ipv4Only && bytes.length == 16) {
      return null;
    }
    long record = tree.lookup(bytes);
    if (record == MmdbSearchTree.NOT_FOUND) {
      return null;
    }
    int slot = (int) (record ^ (record >>> 13)) & (CACHE_SLOTS - 1);
    Cached c = cache[slot];
    if (c == null || c.record() != record) {
      GeoIpRecord rec = lookup(address).data();
      Location l = rec == null ? null : build(rec);
      c = new Cached(record, l == null ? UNPLACED : l);
      cache[slot] = c;
    }
    return c.location() == UNPLACED ? null : (Location) c.location();
  }

  private DatabaseRecord<GeoIpRecord> lookup(InetAddress address) {
    try {
      return reader.getRecord(address, GeoIpRecord.class);
    } catch (IOException e) {
      throw new GeoIpDatabaseException(
          "GeoIP database " + path + " failed a lookup of " + address.getHostAddress() + ": " + e,
          e);
    }
  }

  private Location build(GeoIpRecord rec) {
    String country = rec.country != null ? rec.country : rec.registeredCountry;
    GeoPoint point = null;
    if (kind == Kind.CITY && rec.latitude != null && rec.longitude != null) {
      try {
        point = new GeoPoint(rec.latitude, rec.longitude);
      } catch (IllegalArgumentException e) {
        point = null; // out-of-range coordinates in the file: fall back to the country
      }
    }
    if (point == null && country != null) {
      point = CountryCentroids.get(country).orElse(null);
    }
    if (point == null) {
      return null;
    }
    return new Location(
        point,
        Location.Source.GEOIP,
        Optional.empty(),
        Optional.ofNullable(country),
        kind == Kind.CITY ? Optional.ofNullable(rec.city) : Optional.empty(),
        Optional.empty());
  }

  public Path path() {
    return path;
  }

  public Kind kind() {
    return kind;
  }

  /** The metadata's database type, e.g. {@code GeoLite2-City}. */
  public String databaseType() {
    return metadata.databaseType();
  }

  public Instant buildTime() {
    return metadata.buildTime();
  }

  /** SHA-256 of the file's bytes, hex. */
  public String sha256() {
    return sha256;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  @Override
  public void close() {
    closeQuietly(reader);
  }

  private static void closeQuietly(Reader r) {
    try {
      r.close();
    } catch (IOException e) {
      // in-memory reader: nothing to release but the reference
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "GeoIpDatabase(" + path + ", " + databaseType() + ", built " + buildTime() + ")";
  }
}
