package dev.segmentrelay.loadtest.engine;

/**
 * The head of an HTTP/1.x answer as the load tester reads it: the status and the few headers the
 * player and the results use (others are not kept).
 *
 * @param status the status code
 * @param contentLength the announced body length, or -1 when none was announced
 * @param location the {@code Location} header, or null
 * @param contentType the {@code Content-Type} header, or null
 * @param edge the {@code X-Relay-Edge} header, or null
 * @param cache the {@code X-Relay-Cache} header, or null
 */
record Http1Head(
    int status,
    long contentLength,
    String location,
    String contentType,
    String edge,
    String cache) {}
