package dev.segmentrelay.loadtest.player;

import java.util.Optional;

/**
 * The outcome of one GET.
 *
 * @param url the URL finally answered (after redirects)
 * @param status HTTP status, or 0 when no response arrived
 * @param error why it failed, when it did ({@link ErrorKind#NONE} for a 2xx with a whole body)
 * @param bytes body bytes received
 * @param elapsedMillis from the start of the request (first redirect included) to the last byte
 * @param body the body text when asked for and received
 * @param edge the {@code X-Relay-Edge} header of the final answer, if any
 * @param cacheResult the {@code X-Relay-Cache} header of the final answer, if any
 */
public record FetchResult(
    String url,
    int status,
    ErrorKind error,
    long bytes,
    double elapsedMillis,
    Optional<String> body,
    Optional<String> edge,
    Optional<String> cacheResult) {

  public boolean ok() {
    return error == ErrorKind.NONE;
  }

  /**
   * The same answer classified as {@code kind}: a body that arrived whole but cannot be used (does
   * not parse, or a live playlist that stopped updating).
   */
  public FetchResult withError(ErrorKind kind) {
    return new FetchResult(url, status, kind, bytes, elapsedMillis, body, edge, cacheResult);
  }

  /** How a request failed, as the results classify it. */
  public enum ErrorKind {
    NONE,
    /** Could not connect (refused, unreachable, connect timeout). */
    CONNECT,
    /** Connected but no complete answer in time. */
    TIMEOUT,
    /** A 4xx answer. */
    HTTP_4XX,
    /** A 5xx answer. */
    HTTP_5XX,
    /** The connection ended before the body did (shorter than Content-Length). */
    TRUNCATED,
    /** A playlist or MPD with the wrong content type, or one that does not parse. */
    BAD_CONTENT,
    /** Too many redirects or a redirect back to a URL already visited. */
    REDIRECT_LOOP,
    /** A playlist that stopped updating (live playlist unchanged for several reloads). */
    STALE_PLAYLIST,
    /** Anything else (reported with its class in logs). */
    OTHER
  }
}
