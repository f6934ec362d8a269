package dev.segmentrelay.edge.registration;

import dev.segmentrelay.common.media.MediaPath;
import dev.segmentrelay.edge.cache.EdgeCache;
import dev.segmentrelay.edge.cache.Fill;
import io.vertx.core.Context;
import java.util.function.Consumer;

/**
 * Warms {@link EdgeCache} through {@link EdgeCache#lookup}, the very call a viewer's miss makes: a
 * prefetch is a fill like any other, so a viewer who asks while it runs joins it (COALESCED) and
 * one who asks after it gets a HIT. The prefetch waits on its fill as a {@link Fill.Waiter} that
 * takes no chunks, only the end.
 */
public final class FillWarmer implements CacheWarmer {
  private final EdgeCache cache;
  private final Context context;

  /**
   * @param context the event loop prefetches run on (fills started here run here)
   */
  public FillWarmer(EdgeCache cache, Context context) {
    this.cache = cache;
    this.context = context;
  }

  @Override
  public boolean cached(String key) {
    return cache.isCached(key);
  }

  @Override
  public void warm(MediaPath media, Consumer<Outcome> done) {
    String key = media.urlPath();
    EdgeCache.Lookup lookup = cache.lookup(key, media, key);
    if (lookup instanceof EdgeCache.Joined joined && joined.created()) {
      new EndWaiter(joined.fill(), done).start();
    } else {
      done.accept(Outcome.CACHED);
    }
  }

  /** Waits for a fill to end, taking none of its chunks. */
  private final class EndWaiter implements Fill.Waiter {
    private final Fill fill;
    private final Consumer<Outcome> done;
    private boolean finished;

    EndWaiter(Fill fill, Consumer<Outcome> done) {
      this.fill = fill;
      this.done = done;
    }

    void start() {
      fill.subscribe(this);
    }

    @Override
    public Context context() {
      return context;
    }

    @Override
    public void wake() {
      if (finished) {
        return;
      }
      Fill.Progress p = fill.progress(Integer.MAX_VALUE);
      if (p.failure().isPresent()) {
        finish(Outcome.FAILED);
      } else if (p.ended()) {
        boolean stored =
            p.result().isPresent()
                && p.result().get().status() == 200
                && cache.isCached(fill.key());
        finish(stored ? Outcome.FETCHED : Outcome.FAILED);
      }
    }

    private void finish(Outcome outcome) {
      finished = true;
      fill.unsubscribe(this);
      done.accept(outcome);
    }
  }
}
