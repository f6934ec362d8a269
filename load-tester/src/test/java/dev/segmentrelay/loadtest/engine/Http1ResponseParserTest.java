package dev.segmentrelay.loadtest.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.segmentrelay.loadtest.engine.Http1ResponseParser.CloseOutcome;
import dev.segmentrelay.loadtest.engine.Http1ResponseParser.MalformedResponseException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http1ResponseParserTest {
  private final Recorder recorder = new Recorder();
  private final Http1ResponseParser parser = new Http1ResponseParser(recorder);

  private static final class Recorder implements Http1ResponseParser.Handler {
    final List<Http1Head> heads = new ArrayList<>();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final List<Boolean> completions = new ArrayList<>();

    @Override
    public void head(Http1Head head) {
      heads.add(head);
    }

    @Override
    public void body(ByteBuf buf, int index, int length) {
      byte[] b = new byte[length];
      buf.getBytes(index, b);
      body.writeBytes(b);
    }

    @Override
    public void complete(boolean reusable) {
      completions.add(reusable);
    }

    String bodyText() {
      return body.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Feeds {@code text} in pieces of {@code step} bytes; returns the unread rest of the last. */
  private int feed(String text, int step) throws MalformedResponseException {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    int left = 0;
    for (int i = 0; i < bytes.length; i += step) {
      ByteBuf piece = Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i));
      parser.feed(piece);
      left = piece.readableBytes();
    }
    return left;
  }

  @Test
  void contentLengthAnswerInAnyPiecesKeepsTheHeadersAPlayerNeeds() throws Exception {
    String answer =
        "HTTP/1.1 200 OK\r\ncontent-TYPE: application/vnd.apple.mpegurl\r\nX-Relay-Edge:  fra-1 \r\n"
            + "x-relay-cache: HIT\r\nServer: x\r\nContent-Length: 11\r\n\r\nhello world";
    for (int step = 1; step <= answer.length(); step += 7) {
      Recorder r = new Recorder();
      Http1ResponseParser p = new Http1ResponseParser(r);
      byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < bytes.length; i += step) {
        p.feed(Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i)));
      }
      assertThat(r.heads).hasSize(1);
      Http1Head head = r.heads.get(0);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.contentType()).isEqualTo("application/vnd.apple.mpegurl");
      assertThat(head.edge()).isEqualTo("fra-1");
      assertThat(head.cache()).isEqualTo("HIT");
      assertThat(head.contentLength()).isEqualTo(11);
      assertThat(r.bodyText()).isEqualTo("hello world");
      assertThat(r.completions).containsExactly(true);
      assertThat(p.done()).isTrue();
    }
  }

  @Test
  void chunkedAnswerWithExtensionsAndTrailers() throws Exception {
    String answer =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: 1\r\n\r\n";
    feed(answer, 3);
    assertThat(recorder.bodyText()).isEqualTo("hello world");
    assertThat(recorder.heads.get(0).contentLength()).isEqualTo(-1);
    assertThat(recorder.completions).containsExactly(true);
  }

  @Test
  void withoutLengthTheBodyRunsToTheClose() throws Exception {
    feed("HTTP/1.1 200 OK\r\n\r\nsome bytes", 4);
    assertThat(recorder.completions).isEmpty();
    assertThat(parser.closed()).isEqualTo(CloseOutcome.COMPLETE);
    assertThat(recorder.bodyText()).isEqualTo("some bytes");
    assertThat(recorder.completions).containsExactly(false);
  }

  @Test
  void connectionCloseAndHttp10AnswersAreNotReusable() throws Exception {
    feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 100);
    parser.reset();
    feed("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", 100);
    parser.reset();
    feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", 100);
    assertThat(recorder.completions).containsExactly(false, false, true);
  }

  @Test
  void interimAnswersAreSkippedAndNoBodyStatusesCompleteAtTheHead() throws Exception {
    feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n", 5);
    assertThat(recorder.heads).extracting(Http1Head::status).containsExactly(204);
    assertThat(recorder.completions).containsExactly(true);
    parser.reset();
    feed("HTTP/1.1 304 Not Modified\r\n\r\n", 5);
    assertThat(recorder.completions).containsExactly(true, true);
  }

  @Test
  void redirectKeepsItsLocation() throws Exception {
    feed("HTTP/1.1 302 Found\r\nLocation: http://edge/x.m3u8\r\nContent-Length: 0\r\n\r\n", 9);
    assertThat(recorder.heads.get(0).location()).isEqualTo("http://edge/x.m3u8");
  }

  @Test
  void bytesAfterACompleteAnswerAreLeftUnread() throws Exception {
    int left = feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", 1000);
    assertThat(recorder.bodyText()).isEqualTo("ok");
    assertThat(left).isEqualTo(5);
  }

  @Test
  void closeBeforeTheEndIsTruncatedAndBeforeAnyByteIsNoAnswer() throws Exception {
    assertThat(parser.closed()).isEqualTo(CloseOutcome.NO_ANSWER);
    feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 1000);
    assertThat(parser.closed()).isEqualTo(CloseOutcome.TRUNCATED);
    parser.reset();
    feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 1000);
    assertThat(parser.closed()).isEqualTo(CloseOutcome.TRUNCATED);
    parser.reset();
    feed("HTTP/1.1 200 O", 1000);
    assertThat(parser.closed()).isEqualTo(CloseOutcome.TRUNCATED);
  }

  @Test
  void secondAnswerOnTheSameConnectionAfterReset() throws Exception {
    feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", 1000);
    parser.reset();
    feed("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nb", 1000);
    assertThat(recorder.heads).extracting(Http1Head::status).containsExactly(200, 404);
    assertThat(recorder.bodyText()).isEqualTo("ab");
  }

  @Test
  void malformedAnswersAreRefusedWithWhatWasWrong() {
    assertThatThrownBy(() -> feed("SSH-2.0-OpenSSH_9.2\r\n", 100))
        .isInstanceOf(MalformedResponseException.class)
        .hasMessageContaining("not an HTTP/1.x status line: SSH-2.0");
    parser.reset();
    assertThatThrownBy(
            () -> feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 100))
        .hasMessageContaining("conflicting Content-Length");
    parser.reset();
    assertThatThrownBy(() -> feed("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 100))
        .hasMessageContaining("bad Content-Length: -1");
    parser.reset();
    assertThatThrownBy(
            () -> feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 100))
        .hasMessageContaining("bad chunk size: zz");
    parser.reset();
    assertThatThrownBy(() -> feed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", 100))
        .hasMessageContaining("header line without a name");
    parser.reset();
    String huge = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(Http1ResponseParser.MAX_LINE_BYTES);
    assertThatThrownBy(() -> feed(huge, 1000)).hasMessageContaining("line longer than");
  }
}
