package mantis.server;

import java.util.Locale;
import mantis.core.MonotonicClock;

/**
 * How many frame pixels the server may decode: at most {@code perRequest} for one request (summed
 * over its frames, read from the image headers before any pixel is decoded), and {@code perSecond}
 * across the whole server, as a token bucket holding one second's worth (or one request's worth if
 * that is larger) that refills continuously. Decoding cost grows with source pixels whatever the
 * output size (a PNG must be inflated row by row), so pixels are what is budgeted. Time comes from
 * the {@link MonotonicClock}.
 *
 * <p>The server keeps two: one for Predict and Control (the robots) and one for Annotate ({@link
 * #forAnnotate}), so that viewers flooding Annotate cannot spend the robots' pixels, nor the robots
 * a viewer's. Thread-safe.
 */
final class DecodeBudget {
  private final long perRequest;
  private final long perSecond;
  private final long capacity;
  private final MonotonicClock clock;
  private final ServerMetrics metrics;

  /** "" or "annotate_": the prefix of the per-second refusal's metric label and config key. */
  private final String prefix;

  // Guarded by this.
  private double tokens;
  private long lastNanos;

  DecodeBudget(long perRequest, long perSecond, MonotonicClock clock, ServerMetrics metrics) {
    this(perRequest, perSecond, clock, metrics, "");
  }

  /**
   * Annotate's budget: {@code perRequest} as for the robots, {@code perSecond} its own; a refusal
   * per second is counted as {@code annotate_decode_per_second} and names {@code
   * admission.annotate_decode_pixels_per_second}.
   */
  static DecodeBudget forAnnotate(
      long perRequest, long perSecond, MonotonicClock clock, ServerMetrics metrics) {
    return new DecodeBudget(perRequest, perSecond, clock, metrics, "annotate_");
  }

  private DecodeBudget(
      long perRequest, long perSecond, MonotonicClock clock, ServerMetrics metrics, String prefix) {
    if (perRequest < 1 || perSecond < 1) {
      throw new IllegalArgumentException("decode budgets must be >= 1 pixel");
    }
    this.perRequest = perRequest;
    this.perSecond = perSecond;
    this.capacity = Math.max(perRequest, perSecond);
    this.clock = clock;
    this.metrics = metrics;
    this.prefix = prefix;
    this.tokens = capacity;
    this.lastNanos = clock.nanoTime();
  }

  /** A budget that never refuses (for decoders outside a server). */
  static DecodeBudget unlimited(MonotonicClock clock) {
    return new DecodeBudget(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4, clock, null);
  }

  long perRequest() {
    return perRequest;
  }

  long perSecond() {
    return perSecond;
  }

  /**
   * Takes {@code pixels} from the budget, or refuses (taking nothing).
   *
   * @param what the request's frames, for the description (e.g. "8 frames of 4096x4096 px")
   * @throws OverloadedException naming the budget: {@code decode_per_request} (never fits) or
   *     {@code decode_per_second} (fits later)
   */
  void take(long pixels, String what) throws OverloadedException {
    if (pixels > perRequest) {
      count("decode_per_request");
      throw new OverloadedException(
          "decode_per_request",
          false,
          null,
          String.format(
              Locale.ROOT,
              "decode budget per request exceeded: %s = %,d px to decode; this server decodes at most %,d px per "
                  + "request (admission.decode_pixels_per_request); send fewer or smaller frames",
              what,
              pixels,
              perRequest));
    }
    double available;
    synchronized (this) {
      long now = clock.nanoTime();
      long elapsed = now - lastNanos;
      lastNanos = now;
      if (elapsed > 0) {
        tokens = Math.min(capacity, tokens + elapsed * (perSecond / 1e9));
      }
      if (tokens >= pixels) {
        tokens -= pixels;
        return;
      }
      available = tokens;
    }
    String reason = prefix + "decode_per_second";
    count(reason);
    long waitMs = (long) Math.ceil((pixels - available) / (perSecond / 1e3));
    throw new OverloadedException(
        reason,
        true,
        null,
        String.format(
            Locale.ROOT,
            "%s budget per second exhausted: %s = %,d px to decode, %,d px left now; this server decodes at most "
                + "%,d px per second %s (admission.%sdecode_pixels_per_second); retry in about %d ms",
            prefix.isEmpty() ? "decode" : "Annotate decode",
            what,
            pixels,
            (long) available,
            perSecond,
            prefix.isEmpty() ? "across all clients" : "for Annotate, across all clients",
            prefix,
            waitMs));
  }

  private void count(String budget) {
    if (metrics != null) {
      // decode_per_request -> per_request, annotate_decode_per_second -> annotate_per_second
      metrics.decodeBudgetRefusals.labelValues(budget.replace("decode_", "")).inc();
      metrics.refusals.labelValues(budget).inc();
    }
  }
}
