package dev.segmentrelay.common.media.hls;

/** A parsed HLS playlist: a {@link MasterPlaylist} or a {@link MediaPlaylist}. */
public sealed interface HlsPlaylist permits MasterPlaylist, MediaPlaylist {}
