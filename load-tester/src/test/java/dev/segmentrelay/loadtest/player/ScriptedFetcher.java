package dev.segmentrelay.loadtest.player;

import dev.segmentrelay.loadtest.player.FetchResult.ErrorKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A fetcher that answers from a script: per URL prefix (longest wins), a function of the URL and
 * the request time giving an {@link Answer}; the answer arrives after its delay on the fake clock.
 */
final class ScriptedFetcher implements Fetcher {
  record Answer(int status, String body, long bytes, long delayMillis, String finalUrl) {
    static Answer ok(String body, long delayMillis) {
      return new Answer(200, body, body.length(), delayMillis, null);
    }

    static Answer bytes(long bytes, long delayMillis) {
      return new Answer(200, null, bytes, delayMillis, null);
    }

    static Answer status(int status, long delayMillis) {
      return new Answer(status, null, 0, delayMillis, null);
    }

    Answer redirectedTo(String url) {
      return new Answer(status, body, bytes, delayMillis, url);
    }
  }

  record Request(long at, String url) {}

  private final FakeScheduler scheduler;
  private final Map<String, Function<String, Answer>> routes = new LinkedHashMap<>();
  final List<Request> requests = new ArrayList<>();

  ScriptedFetcher(FakeScheduler scheduler) {
    this.scheduler = scheduler;
  }

  ScriptedFetcher on(String urlPrefix, Function<String, Answer> answer) {
    routes.put(urlPrefix, answer);
    return this;
  }

  List<String> urls() {
    return requests.stream().map(Request::url).toList();
  }

  List<Long> timesOf(String urlPrefix) {
    return requests.stream().filter(r -> r.url().startsWith(urlPrefix)).map(Request::at).toList();
  }

  long count(String urlPrefix) {
    return requests.stream().filter(r -> r.url().startsWith(urlPrefix)).count();
  }

  @Override
  public void get(String url, boolean keepBody, Consumer<FetchResult> done) {
    requests.add(new Request(scheduler.nowMillis(), url));
    Function<String, Answer> route = null;
    int best = -1;
    for (Map.Entry<String, Function<String, Answer>> e : routes.entrySet()) {
      if (url.startsWith(e.getKey()) && e.getKey().length() > best) {
        best = e.getKey().length();
        route = e.getValue();
      }
    }
    Answer a = route == null ? Answer.status(404, 1) : route.apply(url);
    ErrorKind error =
        a.status() >= 500
            ? ErrorKind.HTTP_5XX
            : a.status() >= 400
                ? ErrorKind.HTTP_4XX
                : a.status() == 0 ? ErrorKind.CONNECT : ErrorKind.NONE;
    FetchResult result =
        new FetchResult(
            a.finalUrl() == null ? url : a.finalUrl(),
            a.status(),
            error,
            a.bytes(),
            a.delayMillis(),
            keepBody && error == ErrorKind.NONE ? Optional.ofNullable(a.body()) : Optional.empty(),
            Optional.empty(),
            Optional.empty());
    scheduler.schedule(a.delayMillis(), () -> done.accept(result));
  }
}
