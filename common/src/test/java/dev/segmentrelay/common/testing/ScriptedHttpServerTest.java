package dev.segmentrelay.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripted upstream and the raw client check each other: complete answers read as complete, cut
 * answers (reset or FIN, with a length or chunked) read as cut, and a slow answer holds its last
 * piece until released.
 */
class ScriptedHttpServerTest {
  private static final byte[] BODY = body(10_000);

  static byte[] body(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return b;
  }

  @Test
  @Timeout(30)
  void completeAnswersAreCountedByPath() {
    try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
      server.on("/live/a/seg.ts", ScriptedHttpServer.ok(BODY, "video/mp2t", "ETag", "\"x\""));
      RawHttpClient.Response r = RawHttpClient.get(server.port(), "/live/a/seg.ts?q=1");
      RawHttpClient.Response missing = RawHttpClient.get(server.port(), "/live/a/other.ts");
      RawHttpClient.Response head = RawHttpClient.exchange(server.port(), "HEAD", "/live/a/seg.ts");

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.complete()).as("%s", r).isTrue();
      assertThat(r.body()).isEqualTo(BODY);
      assertThat(r.header("etag")).isEqualTo("\"x\"");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(BODY.length));
      assertThat(head.body()).isEmpty();
      assertThat(server.requests("/live/a/seg.ts")).isEqualTo(2);
      assertThat(server.requestsUnder("/live/")).isEqualTo(3);
      assertThat(server.requestLog()).contains("GET /live/a/seg.ts?q=1", "HEAD /live/a/seg.ts");
    }
  }

  @Test
  @Timeout(30)
  void truncatedAnswersReadAsCutWithFewerBytes() {
    try (ScriptedHttpServer resetting = ScriptedHttpServer.startResetting();
        ScriptedHttpServer closing = ScriptedHttpServer.start()) {
      resetting.on("/t.ts", ScriptedHttpServer.truncated(BODY, BODY.length / 2));
      closing.on("/t.ts", ScriptedHttpServer.truncated(BODY, BODY.length / 2));
      closing.on("/c.ts", ScriptedHttpServer.chunkedThenDie(BODY, BODY.length / 2));

      RawHttpClient.Response reset = RawHttpClient.get(resetting.port(), "/t.ts");
      RawHttpClient.Response fin = RawHttpClient.get(closing.port(), "/t.ts");
      RawHttpClient.Response chunked = RawHttpClient.get(closing.port(), "/c.ts");

      assertThat(reset.status()).isEqualTo(200);
      assertThat(reset.complete()).as("%s", reset).isFalse();
      assertThat(reset.end()).isIn(RawHttpClient.End.RESET, RawHttpClient.End.EOF);
      assertThat(reset.body().length).isLessThan(BODY.length);
      assertThat(fin.end()).as("%s", fin).isEqualTo(RawHttpClient.End.EOF);
      assertThat(fin.body()).isEqualTo(Arrays.copyOf(BODY, BODY.length / 2));
      assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(chunked.end()).as("%s", chunked).isEqualTo(RawHttpClient.End.EOF);
      assertThat(chunked.body()).isEqualTo(Arrays.copyOf(BODY, BODY.length / 2));
    }
  }

  @Test
  @Timeout(30)
  void slowAnswerHoldsItsLastPieceUntilReleased() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    CompletableFuture<Void> finished = new CompletableFuture<>();
    try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
      server.on(
          "/s.ts",
          ScriptedHttpServer.slow(
              BODY, Duration.ofMillis(50), 4, Duration.ofMillis(10), release, finished));
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout(15_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            "GET /s.ts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = new byte[12];
        assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(12);
        assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        assertThat(finished).as("held until released").isNotDone();
        release.complete(null);
        finished.get(10, TimeUnit.SECONDS);
        String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(rest.toLowerCase(java.util.Locale.ROOT))
            .contains("content-length: " + BODY.length);
      }
    }
  }

  @Test
  @Timeout(30)
  void filesAreServedByRequestPath(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve("live/r"));
    Files.write(root.resolve("live/r/seg_1.ts"), BODY);
    try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
      server.otherwise(ScriptedHttpServer.files(root));
      assertThat(RawHttpClient.get(server.port(), "/live/r/seg_1.ts").body()).isEqualTo(BODY);
      assertThat(RawHttpClient.get(server.port(), "/live/r/seg_2.ts").status()).isEqualTo(404);
      assertThat(server.requestsUnder("/live/r/")).isEqualTo(2);
    }
  }
}
