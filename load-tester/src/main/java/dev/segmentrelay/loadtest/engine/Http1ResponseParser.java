package dev.segmentrelay.loadtest.engine;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Reads HTTP/1.x answers off one connection for the load tester's client, keeping only what a
 * player needs: the status, the few headers the results use ({@code Content-Length}, {@code
 * Transfer-Encoding}, {@code Connection}, {@code Location}, {@code Content-Type}, {@code
 * X-Relay-Edge}, {@code X-Relay-Cache}) and the body bytes, handed over in place (no copy, no
 * header map, no object per chunk). Every other header is skipped without allocating.
 *
 * <p>Bodies are delimited by {@code Content-Length}, by chunked transfer coding (extensions and
 * trailers skipped) or, with neither, by the connection's close. 1xx interim answers are skipped;
 * 204 and 304 have no body. A malformed answer is a {@link MalformedResponseException}; the
 * connection is then unusable.
 *
 * <p>Not thread-safe: one parser per connection, fed on its event loop.
 */
final class Http1ResponseParser {
  /** Longest status line, header line or chunk-size line. */
  static final int MAX_LINE_BYTES = 16 * 1024;

  /** Longest head (status line and headers). */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /** What the parser found. */
  interface Handler {
    /** The head of the final (non-1xx) answer. */
    void head(Http1Head head);

    /** {@code length} body bytes of {@code buf} from {@code index}; valid only during the call. */
    void body(ByteBuf buf, int index, int length);

    /**
     * The answer is complete.
     *
     * @param reusable whether the connection may carry another request
     */
    void complete(boolean reusable);
  }

  /** How the connection's close left the answer in progress. */
  enum CloseOutcome {
    /** The answer was delimited by the close and is complete now. */
    COMPLETE,
    /** Not one byte of an answer had arrived. */
    NO_ANSWER,
    /** The close cut the answer short. */
    TRUNCATED
  }

  private enum State {
    STATUS_LINE,
    HEADERS,
    BODY_LENGTH,
    BODY_UNTIL_CLOSE,
    CHUNK_SIZE,
    CHUNK_DATA,
    CHUNK_END,
    TRAILERS,
    DONE
  }

  private final Handler handler;
  private State state = State.STATUS_LINE;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean lineOverflow;
  private int headBytes;
  private boolean anyByte;

  // the head in progress
  private int status;
  private boolean http10;
  private long contentLength;
  private boolean chunked;
  private boolean closeAfter;
  private boolean keepAliveAsked;
  private String location;
  private String contentType;
  private String edge;
  private String cache;

  private long remaining; // body or chunk bytes still to come

  Http1ResponseParser(Handler handler) {
    this.handler = handler;
    reset();
  }

  /** Gets ready for the answer to the next request on the connection. */
  void reset() {
    state = State.STATUS_LINE;
    lineLength = 0;
    lineOverflow = false;
    headBytes = 0;
    anyByte = false;
    resetHead();
  }

  private void resetHead() {
    status = 0;
    http10 = false;
    contentLength = -1;
    chunked = false;
    closeAfter = false;
    keepAliveAsked = false;
    location = null;
    contentType = null;
    edge = null;
    cache = null;
  }

  /** Whether any byte of the current answer has arrived. */
  boolean answered() {
    return anyByte;
  }

  /** Whether the current answer is complete (bytes after it mean a misbehaving server). */
  boolean done() {
    return state == State.DONE;
  }

  /**
   * Consumes {@code in} (its reader index advances over what was read). Bytes after a complete
   * answer are left unread.
   *
   * @throws MalformedResponseException when the bytes are not an HTTP/1.x answer
   */
  void feed(ByteBuf in) throws MalformedResponseException {
    if (in.isReadable()) {
      anyByte = true;
    }
    while (in.isReadable() && state != State.DONE) {
      switch (state) {
        case STATUS_LINE:
          if (readLine(in, true)) {
            if (lineLength == 0) {
              break; // tolerate blank lines before the status line
            }
            statusLine();
            state = State.HEADERS;
          }
          break;
        case HEADERS:
          if (readLine(in, true)) {
            if (lineLength == 0) {
              endOfHead();
            } else {
              headerLine();
            }
          }
          break;
        case BODY_LENGTH:
          {
            int n = (int) Math.min(remaining, in.readableBytes());
            handler.body(in, in.readerIndex(), n);
            in.skipBytes(n);
            remaining -= n;
            if (remaining == 0) {
              complete();
            }
            break;
          }
        case BODY_UNTIL_CLOSE:
          {
            int n = in.readableBytes();
            handler.body(in, in.readerIndex(), n);
            in.skipBytes(n);
            break;
          }
        case CHUNK_SIZE:
          if (readLine(in, false)) {
            remaining = chunkSize();
            state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
          }
          break;
        case CHUNK_DATA:
          {
            int n = (int) Math.min(remaining, in.readableBytes());
            handler.body(in, in.readerIndex(), n);
            in.skipBytes(n);
            remaining -= n;
            if (remaining == 0) {
              state = State.CHUNK_END;
            }
            break;
          }
        case CHUNK_END:
          if (readLine(in, false)) {
            if (lineLength != 0) {
              throw new MalformedResponseException("no line end after a chunk's data");
            }
            state = State.CHUNK_SIZE;
          }
          break;
        case TRAILERS:
          if (readLine(in, false)) {
            if (lineLength == 0) {
              complete();
            }
            lineLength = 0; // a trailer: skipped
          }
          break;
        default:
          throw new IllegalStateException(state.name());
      }
    }
  }

  /** The connection closed: what that means for the answer in progress. */
  CloseOutcome closed() {
    if (state == State.BODY_UNTIL_CLOSE) {
      state = State.DONE;
      handler.complete(false);
      return CloseOutcome.COMPLETE;
    }
    if (state == State.DONE) {
      return CloseOutcome.COMPLETE;
    }
    return anyByte ? CloseOutcome.TRUNCATED : CloseOutcome.NO_ANSWER;
  }

  private void complete() {
    state = State.DONE;
    boolean reusable = !closeAfter && (!http10 || keepAliveAsked);
    handler.complete(reusable);
  }

  /**
   * Reads up to and including a line feed into {@link #line} (without CR LF).
   *
   * @return whether a whole line is in {@link #line}
   */
  private boolean readLine(ByteBuf in, boolean headLine) throws MalformedResponseException {
    int lf = in.forEachByte(ByteProcessor.FIND_LF);
    int end = lf < 0 ? in.writerIndex() : lf;
    int n = end - in.readerIndex();
    if (headLine) {
      headBytes += n + (lf < 0 ? 0 : 1);
      if (headBytes > MAX_HEAD_BYTES) {
        throw new MalformedResponseException("head longer than " + MAX_HEAD_BYTES + " bytes");
      }
    }
    if (lineLength + n > MAX_LINE_BYTES) {
      throw new MalformedResponseException("line longer than " + MAX_LINE_BYTES + " bytes");
    }
    if (lineLength + n > line.length) {
      byte[] bigger = new byte[Math.min(MAX_LINE_BYTES, Math.max(line.length * 2, lineLength + n))];
      System.arraycopy(line, 0, bigger, 0, lineLength);
      line = bigger;
    }
    in.readBytes(line, lineLength, n);
    lineLength += n;
    if (lf < 0) {
      return false;
    }
    in.skipBytes(1);
    if (lineLength > 0 && line[lineLength - 1] == '\r') {
      lineLength--;
    }
    return true;
  }

  private void statusLine() throws MalformedResponseException {
    // HTTP/1.x SSS[ reason]
    if (lineLength < 12
        || !startsWith("HTTP/1.")
        || (line[7] != '0' && line[7] != '1')
        || line[8] != ' '
        || !digit(line[9])
        || !digit(line[10])
        || !digit(line[11])
        || (lineLength > 12 && line[12] != ' ')) {
      throw new MalformedResponseException("not an HTTP/1.x status line: " + lineText(80));
    }
    http10 = line[7] == '0';
    status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    lineLength = 0;
  }

  private void headerLine() throws MalformedResponseException {
    int colon = -1;
    for (int i = 0; i < lineLength; i++) {
      if (line[i] == ':') {
        colon = i;
        break;
      }
    }
    if (line[0] == ' ' || line[0] == '\t') {
      lineLength = 0; // an obsolete folded continuation: of no header we read
      return;
    }
    if (colon <= 0) {
      throw new MalformedResponseException("header line without a name: " + lineText(80));
    }
    if (nameIs(colon, "content-length")) {
      long length = parseLength(colon + 1);
      if (contentLength >= 0 && contentLength != length) {
        throw new MalformedResponseException("conflicting Content-Length headers");
      }
      contentLength = length;
    } else if (nameIs(colon, "transfer-encoding")) {
      String value = value(colon).toLowerCase(java.util.Locale.ROOT);
      chunked = value.endsWith("chunked");
      if (!chunked && !value.isEmpty() && !value.equals("identity")) {
        closeAfter = true; // a coding we do not decode: the body runs to the close
      }
    } else if (nameIs(colon, "connection")) {
      String value = value(colon).toLowerCase(java.util.Locale.ROOT);
      if (value.contains("close")) {
        closeAfter = true;
      } else if (value.contains("keep-alive")) {
        keepAliveAsked = true;
      }
    } else if (nameIs(colon, "location")) {
      location = value(colon);
    } else if (nameIs(colon, "content-type")) {
      contentType = value(colon);
    } else if (nameIs(colon, "x-relay-edge")) {
      edge = value(colon);
    } else if (nameIs(colon, "x-relay-cache")) {
      cache = value(colon);
    }
    lineLength = 0;
  }

  private void endOfHead() throws MalformedResponseException {
    if (status >= 100 && status < 200) {
      if (status == 101) {
        throw new MalformedResponseException("101 Switching Protocols to a GET without Upgrade");
      }
      resetHead(); // interim answer: the final one follows
      state = State.STATUS_LINE;
      return;
    }
    boolean noBody = status == 204 || status == 304;
    handler.head(
        new Http1Head(status, noBody ? 0 : contentLength, location, contentType, edge, cache));
    if (noBody) {
      complete();
    } else if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength >= 0) {
      remaining = contentLength;
      state = State.BODY_LENGTH;
      if (remaining == 0) {
        complete();
      }
    } else {
      closeAfter = true;
      state = State.BODY_UNTIL_CLOSE;
    }
  }

  private long chunkSize() throws MalformedResponseException {
    long size = 0;
    int digits = 0;
    for (int i = 0; i < lineLength; i++) {
      byte b = line[i];
      int v = Character.digit(b, 16);
      if (v < 0) {
        if (b == ';' || b == ' ' || b == '\t') {
          break; // chunk extensions
        }
        throw new MalformedResponseException("bad chunk size: " + lineText(40));
      }
      if (++digits > 15) {
        throw new MalformedResponseException("chunk size too large: " + lineText(40));
      }
      size = size * 16 + v;
    }
    if (digits == 0) {
      throw new MalformedResponseException("bad chunk size: " + lineText(40));
    }
    lineLength = 0;
    return size;
  }

  private long parseLength(int from) throws MalformedResponseException {
    String v = value(from - 1);
    if (v.isEmpty() || v.length() > 18) {
      throw new MalformedResponseException("bad Content-Length: " + v);
    }
    long n = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        throw new MalformedResponseException("bad Content-Length: " + v);
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** The trimmed value after the colon at {@code colon}. */
  private String value(int colon) {
    int from = colon + 1;
    int to = lineLength;
    while (from < to && (line[from] == ' ' || line[from] == '\t')) {
      from++;
    }
    while (to > from && (line[to - 1] == ' ' || line[to - 1] == '\t')) {
      to--;
    }
    return new String(line, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private boolean nameIs(int nameLength, String lowerName) {
    if (nameLength != lowerName.length()) {
      return false;
    }
    for (int i = 0; i < nameLength; i++) {
      int c = line[i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lowerName.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean startsWith(String prefix) {
    for (int i = 0; i < prefix.length(); i++) {
      if (line[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean digit(byte b) {
    return b >= '0' && b <= '9';
  }

  private String lineText(int max) {
    return new String(line, 0, Math.min(max, lineLength), StandardCharsets.ISO_8859_1);
  }

  /** The bytes received are not an HTTP/1.x answer. */
  static final class MalformedResponseException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedResponseException(String message) {
      super(message);
    }
  }
}
