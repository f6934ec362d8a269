package dev.segmentrelay.loadtest.player;

/**
 * The media a player holds and plays, in seconds, against a millisecond clock the caller passes in.
 *
 * <pre>
 *   WAITING --(buffer >= start)--> PLAYING --(buffer hits 0)--> STALLED --(buffer >= resume)--> PLAYING
 *                                     \--(buffer hits 0 after endOfStream)--> ENDED
 * </pre>
 *
 * While playing the buffer drains at one second of media per second of clock; the moment it hits
 * zero is computed exactly (not when the caller happens to look), so stall durations do not depend
 * on how often {@link #advance} is called. After {@link #endOfStream} the thresholds no longer
 * apply: whatever is buffered plays out.
 */
final class PlaybackBuffer {
  enum State {
    WAITING,
    PLAYING,
    STALLED,
    ENDED
  }

  /** What a call changed. */
  enum Transition {
    NONE,
    STARTED,
    STALL_STARTED,
    STALL_ENDED,
    ENDED
  }

  private final double startSeconds;
  private final double resumeSeconds;
  private State state = State.WAITING;
  private double buffer;
  private long at;
  private double played;
  private double stalled;
  private double stallStartMillis;
  private double lastStallMillis;
  private boolean endOfStream;

  PlaybackBuffer(double startSeconds, double resumeSeconds, long now) {
    this.startSeconds = startSeconds;
    this.resumeSeconds = resumeSeconds;
    this.at = now;
  }

  /** Plays up to {@code now}: {@link Transition#STALL_STARTED} or ENDED when the buffer ran dry. */
  Transition advance(long now) {
    long dt = now - at;
    if (dt <= 0) {
      return Transition.NONE;
    }
    Transition t = Transition.NONE;
    if (state == State.PLAYING) {
      double seconds = dt / 1000.0;
      if (buffer > seconds) {
        buffer -= seconds;
        played += seconds;
      } else {
        played += buffer;
        double dryAt = at + buffer * 1000.0;
        buffer = 0;
        if (endOfStream) {
          state = State.ENDED;
          t = Transition.ENDED;
        } else {
          state = State.STALLED;
          stallStartMillis = dryAt;
          stalled += (now - dryAt) / 1000.0;
          t = Transition.STALL_STARTED;
        }
      }
    } else if (state == State.STALLED) {
      stalled += dt / 1000.0;
    }
    at = now;
    return t;
  }

  /** Adds a downloaded segment's media; call {@link #advance} first. */
  Transition add(long now, double seconds) {
    advance(now);
    buffer += seconds;
    return checkThresholds(now);
  }

  /** No more media will come: play out what is left (or end now if nothing is). */
  Transition endOfStream(long now) {
    advance(now);
    endOfStream = true;
    if (state == State.ENDED) {
      return Transition.NONE;
    }
    if (buffer <= 0 && state != State.PLAYING) {
      boolean wasStalled = state == State.STALLED;
      state = State.ENDED;
      if (wasStalled) {
        lastStallMillis = now - stallStartMillis;
      }
      return Transition.ENDED;
    }
    return checkThresholds(now);
  }

  private Transition checkThresholds(long now) {
    if (state == State.WAITING && (buffer >= startSeconds || (endOfStream && buffer > 0))) {
      state = State.PLAYING;
      return Transition.STARTED;
    }
    if (state == State.STALLED && (buffer >= resumeSeconds || (endOfStream && buffer > 0))) {
      state = State.PLAYING;
      lastStallMillis = now - stallStartMillis;
      return Transition.STALL_ENDED;
    }
    return Transition.NONE;
  }

  /** Milliseconds from now until the buffer runs dry at the current rate, or -1 if not playing. */
  long millisUntilDry() {
    return state == State.PLAYING ? (long) Math.ceil(buffer * 1000.0) : -1;
  }

  State state() {
    return state;
  }

  double bufferSeconds() {
    return buffer;
  }

  double playedSeconds() {
    return played;
  }

  double stalledSeconds() {
    return stalled;
  }

  /** Length of the stall that {@link Transition#STALL_ENDED} closed, in ms. */
  double lastStallMillis() {
    return lastStallMillis;
  }
}
