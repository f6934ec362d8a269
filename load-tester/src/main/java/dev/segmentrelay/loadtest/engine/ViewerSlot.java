package dev.segmentrelay.loadtest.engine;

import dev.segmentrelay.loadtest.player.Fetcher;
import dev.segmentrelay.loadtest.player.Scheduler;
import java.util.Optional;

/**
 * Everything one viewer gets from the engine: who it is, where it is, what it plays, and the clock
 * and HTTP client of its event loop.
 *
 * @param index 0-based, in start order (spike viewers after the base ones)
 * @param region its region code ({@link RegionMix#DEFAULT_REGION} without {@code --region})
 * @param clientAddress its simulated address (sent as {@code X-Forwarded-For}), if any
 * @param url the URL it starts from (the router's or edge's master playlist or MPD); a player that
 *     loses its edge comes back here
 * @param scheduler its event loop's timers
 * @param fetcher its HTTP GETs, callbacks on its event loop
 */
public record ViewerSlot(
    int index,
    String region,
    Optional<String> clientAddress,
    String url,
    Scheduler scheduler,
    Fetcher fetcher) {}
