package dev.segmentrelay.common.media.hls;

import java.util.Optional;

/**
 * One media segment of a media playlist.
 *
 * @param uri as written in the playlist
 * @param duration seconds ({@code EXTINF})
 * @param title {@code EXTINF} title, usually empty
 * @param byteRange sub-range of {@code uri}, offsets resolved
 * @param discontinuity preceded by {@code EXT-X-DISCONTINUITY}
 * @param map the {@code EXT-X-MAP} in force for this segment
 * @param programDateTime {@code EXT-X-PROGRAM-DATE-TIME} attached to this segment, as written
 */
public record HlsSegment(
    String uri,
    double duration,
    String title,
    Optional<ByteRange> byteRange,
    boolean discontinuity,
    Optional<InitSection> map,
    Optional<String> programDateTime) {}
