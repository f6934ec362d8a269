package dev.segmentrelay.common.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BodyChecksumTest {
  private static final byte[] BODY = "0123456789abcdef".repeat(64).getBytes(StandardCharsets.UTF_8);

  @Test
  void completeBodyPasses() {
    Map<String, String> stored = BodyChecksum.withChecksum(Map.of("stream", "room1"), BODY);
    assertThat(BodyChecksum.problem(BODY, (long) BODY.length, stored)).isEmpty();
    assertThat(BodyChecksum.userMetadata(stored)).isEqualTo(Map.of("stream", "room1"));
  }

  @Test
  void bodyShorterThanContentLengthIsRejected() {
    Map<String, String> stored = BodyChecksum.withChecksum(Map.of(), BODY);
    byte[] cut = Arrays.copyOf(BODY, BODY.length - 1);
    assertThat(BodyChecksum.problem(cut, (long) BODY.length, stored))
        .hasValue("received 1023 of 1024 bytes announced by Content-Length");
  }

  @Test
  void bodyShorterThanWrittenIsRejectedEvenIfContentLengthAgrees() {
    Map<String, String> stored = BodyChecksum.withChecksum(Map.of(), BODY);
    byte[] cut = Arrays.copyOf(BODY, 1000);
    assertThat(BodyChecksum.problem(cut, 1000L, stored))
        .hasValue("received 1000 bytes but 1024 were written (relay-length)");
  }

  @Test
  void damagedBodyOfTheRightLengthIsRejected() {
    Map<String, String> stored = BodyChecksum.withChecksum(Map.of(), BODY);
    byte[] damaged = BODY.clone();
    damaged[500] ^= 1;
    assertThat(BodyChecksum.problem(damaged, (long) BODY.length, stored))
        .hasValueSatisfying(p -> assertThat(p).startsWith("CRC32C ").contains("differs"));
  }

  @Test
  void foreignObjectWithoutChecksumIsCheckedOnLengthOnly() {
    assertThat(BodyChecksum.problem(BODY, (long) BODY.length, Map.of())).isEmpty();
    assertThat(BodyChecksum.problem(BODY, null, Map.of())).isEmpty();
    assertThat(BodyChecksum.problem(BODY, 2000L, Map.of())).isPresent();
  }

  @Test
  void bodyCheckedChunkByChunkAgreesWithTheWholeCheckAtEverySplit() {
    Map<String, String> stored = BodyChecksum.withChecksum(Map.of(), BODY);
    byte[] damaged = BODY.clone();
    damaged[700] ^= 1;
    for (int split = 0; split <= BODY.length; split += 37) {
      for (byte[] body : new byte[][] {BODY, damaged}) {
        S3Store.BodyCheck check =
            S3Store.bodyCheck(
                (long) BODY.length, name -> stored.get(name.substring("x-amz-meta-".length())));
        ByteBuffer first = ByteBuffer.wrap(body, 0, split);
        check.update(first);
        assertThat(first.remaining()).isEqualTo(split); // the chunk is left as it was
        check.update(ByteBuffer.wrap(body, split, body.length - split).slice());
        assertThat(check.received()).isEqualTo(BODY.length);
        assertThat(check.problem())
            .isEqualTo(BodyChecksum.problem(body, (long) BODY.length, stored));
      }
    }
  }

  @Test
  void crc32cIsTheStandardOne() {
    // RFC 3720 test vector: 32 bytes of zeros.
    assertThat(BodyChecksum.crc32c(new byte[32])).isEqualTo("8a9136aa");
  }
}
