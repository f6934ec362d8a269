package dev.segmentrelay.georouter.location;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes test .mmdb files with MaxMind's own writer, through {@code infra/geoip/write-mmdb.pl}.
 * Fails the test (never skips it) when the Perl writer is not installed.
 */
final class MmdbFiles {
  private MmdbFiles() {}

  // spec -> built file; the Perl writer takes about a second per file, so each spec is built once
  private static final Map<String, byte[]> BUILT = new ConcurrentHashMap<>();

  /** Writes {@code spec} (the JSON format documented in write-mmdb.pl) to {@code dir/name}. */
  static Path write(Path dir, String name, String spec) throws IOException, InterruptedException {
    Path out = dir.resolve(name);
    byte[] built = BUILT.get(spec);
    if (built == null) {
      requireWriter();
      Path json = dir.resolve(name + ".json");
      Files.writeString(json, spec, StandardCharsets.UTF_8);
      run("perl", script().toString(), json.toString(), out.toString());
      BUILT.put(spec, Files.readAllBytes(out));
    } else {
      Files.write(out, built);
    }
    return out;
  }

  /** A City database spec with the given networks (JSON objects). */
  static String city(String... networks) {
    return spec("GeoIP2-City", networks);
  }

  static String spec(String type, String... networks) {
    return "{\"database_type\": \""
        + type
        + "\", \"networks\": ["
        + String.join(",", networks)
        + "]}";
  }

  /** One network entry. */
  static String net(String cidr, String country, String city, double lat, double lon) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"network\":\"%s\",\"country\":\"%s\",\"city\":\"%s\",\"latitude\":%s,\"longitude\":%s}",
        cidr,
        country,
        city,
        lat,
        lon);
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    for (int i = 0; i < 5 && p != null; i++, p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("infra/geoip/write-mmdb.pl"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "infra/geoip/write-mmdb.pl not found above " + Path.of("").toAbsolutePath());
  }

  static Path script() {
    return repoRoot().resolve("infra/geoip/write-mmdb.pl");
  }

  private static void requireWriter() throws IOException, InterruptedException {
    if (exitCode("perl", "-MMaxMind::DB::Writer::Tree", "-e1") != 0) {
      fail(
          "MaxMind's MMDB writer is not installed, so the test GeoIP databases cannot be built:"
              + " apt-get install libmaxmind-db-writer-perl");
    }
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroy();
      fail(String.join(" ", cmd) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
  }

  private static int exitCode(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroy();
      return -1;
    }
    return p.exitValue();
  }
}
