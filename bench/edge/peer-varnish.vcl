# Varnish as a caching edge for live HLS (rendered by bench/edge-vs-peers.sh: @NAME@
# placeholders). TTLs come from the origin's Cache-Control (max-age=1 on playlists, long on
# segments); concurrent misses wait on one backend fetch (Varnish's waiting list) and stream.
vcl 4.1;

backend origin {
  .host = "127.0.0.1";
  .port = "@ORIGIN_PORT@";
}

sub vcl_recv {
  if (req.url !~ "^/live/") {
    return (synth(404));
  }
  set req.url = regsub(req.url, "\?.*$", "");
  unset req.http.Cookie;
  unset req.http.Authorization;
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
}
