package dev.segmentrelay.loadtest.engine;

import java.time.Duration;

/**
 * How every viewer's {@link Http1Fetcher} behaves.
 *
 * @param requestTimeout whole request, redirects included, from the moment the viewer asked
 * @param maxRedirects redirects followed before the answer counts as a redirect loop
 * @param forwardedFor which requests carry the viewer's {@code X-Forwarded-For}
 * @param routerAuthority {@code host:port} of the router (of {@code --url}), lower case
 * @param maxBodyBytes largest kept body (playlists, MPDs); a longer one is {@code BAD_CONTENT}
 */
public record FetchOptions(
    Duration requestTimeout,
    int maxRedirects,
    ForwardedFor forwardedFor,
    String routerAuthority,
    int maxBodyBytes) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_REDIRECTS = 5;
  public static final int DEFAULT_MAX_BODY = 4 << 20;

  public FetchOptions {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive: " + requestTimeout);
    }
    if (maxRedirects < 0 || maxRedirects > 20) {
      throw new IllegalArgumentException("max redirects must be in 0-20: " + maxRedirects);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("max body must be at least 1024 bytes: " + maxBodyBytes);
    }
  }
}
