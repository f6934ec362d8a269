package dev.segmentrelay.origin.archive;

import io.vertx.core.Context;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a starting stream takes over the state object a previous origin run left in the archive. */
public final class ArchivedState {
  private static final Logger log = LoggerFactory.getLogger(ArchivedState.class);

  private ArchivedState() {}

  /**
   * Reads {@code stream}'s state object and hands it to {@code restore} on {@code context}, then
   * runs {@code then} there. A state that cannot be read, or that {@code restore} refuses with an
   * {@link IllegalArgumentException}, is logged and skipped: the stream starts afresh in a new
   * epoch, so names stay unique either way.
   */
  public static void restore(
      Archive archive, String stream, Context context, Consumer<byte[]> restore, Runnable then) {
    archive
        .readState(stream)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      if (ar.failed()) {
                        log.warn(
                            "stream {}: archived state not readable, starting afresh (new epoch,"
                                + " names stay unique): {}",
                            stream,
                            ar.cause().getMessage());
                      } else if (ar.result().isPresent()) {
                        try {
                          restore.accept(ar.result().get());
                        } catch (IllegalArgumentException e) {
                          log.warn("stream {}: archived state ignored: {}", stream, e.getMessage());
                        }
                      }
                      then.run();
                    }));
  }
}
