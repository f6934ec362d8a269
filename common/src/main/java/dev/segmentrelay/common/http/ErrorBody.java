package dev.segmentrelay.common.http;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The one JSON error body every service answers with: {@code {"status": 400, "error":
 * "bad_request", "message": "…what was wrong and what to do"}}.
 */
public final class ErrorBody {
  private ErrorBody() {}

  public static JsonObject of(int status, String message) {
    return new JsonObject()
        .put("status", status)
        .put("error", reason(status))
        .put("message", message);
  }

  /** Ends {@code response} with the JSON error body, unless it has already ended. */
  public static void send(HttpServerResponse response, int status, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      // Headers are gone: the only honest signal left is to cut the connection.
      response.reset();
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(of(status, message).encode());
  }

  static String reason(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 409 -> "conflict";
      case 411 -> "length_required";
      case 413 -> "payload_too_large";
      case 414 -> "uri_too_long";
      case 416 -> "range_not_satisfiable";
      case 429 -> "too_many_requests";
      case 502 -> "bad_gateway";
      case 503 -> "service_unavailable";
      case 504 -> "gateway_timeout";
      default -> status >= 500 ? "internal_error" : "error";
    };
  }
}
