package dev.segmentrelay.common.media.hls;

import java.util.Optional;

/** An {@code EXT-X-MAP}: the initialisation section a segment needs. */
public record InitSection(String uri, Optional<ByteRange> byteRange) {}
