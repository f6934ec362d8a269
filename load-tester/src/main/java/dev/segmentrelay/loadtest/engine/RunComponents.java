package dev.segmentrelay.loadtest.engine;

/**
 * What a run needs besides its configuration: the viewers (the player model), the console's figures
 * and the results side.
 */
public record RunComponents(ViewerFactory viewers, ProgressSource progress, RunListener listener) {}
