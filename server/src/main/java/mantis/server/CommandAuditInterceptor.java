package mantis.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.LinkedHashMap;
import java.util.Map;
import mantis.core.MonotonicClock;
import mantis.proto.v1.Observation;
import mantis.proto.v1.PolicyServiceGrpc;
import mantis.security.AuditEvent;
import mantis.security.AuditLog;
import mantis.security.Principal;

/**
 * Writes who commands which robot to the audit log, without touching the service: a {@link
 * AuditEvent#COMMAND_SOURCE} line when a Control stream sends its first observation for a robot,
 * and a {@link AuditEvent#COMMAND_SOURCE_END} line (status, observations, seconds) when that stream
 * ends. Predict is not audited per call (a 10 Hz client would write 36,000 lines an hour): only the
 * first Predict of each principal for each robot, remembered for the last {@value
 * #PREDICT_SOURCES_REMEMBERED} pairs, so the memory stays bounded whatever robot ids clients
 * invent. Those lines are limited too, to {@value #PREDICT_LINES_PER_MINUTE} a minute on the
 * server's clock: a client inventing a robot id per call cannot flood the audit log. A pair over
 * the limit is not remembered (its next Predict is audited when lines are left), and the next line
 * written says how many were left out ({@code suppressed}).
 *
 * <p>A message that did not parse (the {@link ParseGuard}'s placeholder, refused with
 * INVALID_ARGUMENT) is no command and is not audited.
 *
 * <p>Runs inside the auth interceptor, so {@link Principal#current()} is the authenticated caller.
 */
final class CommandAuditInterceptor implements ServerInterceptor {
  static final int PREDICT_SOURCES_REMEMBERED = 4096;
  static final int PREDICT_LINES_PER_MINUTE = 60;
  private static final long MINUTE_NANOS = 60_000_000_000L;
  private static final String CONTROL = PolicyServiceGrpc.getControlMethod().getFullMethodName();
  private static final String PREDICT = PolicyServiceGrpc.getPredictMethod().getFullMethodName();

  private final AuditLog audit;
  private final MonotonicClock clock;
  private final Map<String, Boolean> predictSources =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > PREDICT_SOURCES_REMEMBERED;
        }
      };

  // Guarded by predictSources.
  private long windowStartNanos;
  private int windowLines;
  private long suppressed;

  CommandAuditInterceptor(AuditLog audit, MonotonicClock clock) {
    this.audit = audit;
    this.clock = clock;
    this.windowStartNanos = clock.nanoTime();
  }

  /**
   * Whether the first Predict of {@code key} (principal and robot) is audited now: -1 when not
   * (seen before, or over the lines per minute), else how many earlier first Predicts were left out
   * since the last line written.
   */
  private long firstPredict(String key) {
    synchronized (predictSources) {
      if (predictSources.get(key) != null) {
        return -1;
      }
      long now = clock.nanoTime();
      if (now - windowStartNanos >= MINUTE_NANOS) {
        windowStartNanos = now;
        windowLines = 0;
      }
      if (windowLines >= PREDICT_LINES_PER_MINUTE) {
        suppressed++;
        return -1;
      }
      windowLines++;
      predictSources.put(key, Boolean.TRUE);
      long left = suppressed;
      suppressed = 0;
      return left;
    }
  }

  private static String robotId(Observation o) {
    return o.getRobotId().isEmpty() ? "default" : o.getRobotId();
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Principal who = Principal.current();
    if (method.equals(PREDICT)) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
          next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          if (message instanceof Observation o && !ParseGuard.isUnparseable(message)) {
            String robot = robotId(o);
            long left = firstPredict(who.name() + '\u0000' + robot);
            if (left >= 0) {
              AuditEvent e =
                  AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                      .principal(who)
                      .robot(robot)
                      .detail(
                          "first Predict from this principal for this robot"
                              + (left == 0
                                  ? ""
                                  : "; "
                                      + left
                                      + " earlier first Predicts not written (more than "
                                      + PREDICT_LINES_PER_MINUTE
                                      + " a minute)"));
              if (left > 0) {
                e = e.field("suppressed", left);
              }
              audit.record(e);
            }
          }
          super.onMessage(message);
        }
      };
    }
    if (!method.equals(CONTROL)) {
      return next.startCall(call, headers);
    }
    ControlSource source = new ControlSource(who);
    ServerCall<Q, A> closing =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            source.end(status);
            super.close(status, trailers);
          }
        };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(closing, headers)) {
      @Override
      public void onMessage(Q message) {
        if (message instanceof Observation o && !ParseGuard.isUnparseable(message)) {
          source.observation(robotId(o));
        }
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        source.end(Status.CANCELLED.withDescription("the client cancelled or disconnected"));
        super.onCancel();
      }
    };
  }

  /** One Control stream's commanding of a robot. */
  private final class ControlSource {
    private final Principal who;
    private String robot;
    private long messages;
    private long startNanos;
    private boolean ended;

    ControlSource(Principal who) {
      this.who = who;
    }

    synchronized void observation(String robotId) {
      messages++;
      if (robot == null) {
        robot = robotId;
        startNanos = clock.nanoTime();
        audit.record(
            AuditEvent.of(AuditEvent.COMMAND_SOURCE)
                .principal(who)
                .robot(robot)
                .detail("Control stream started"));
      }
    }

    synchronized void end(Status status) {
      if (ended || robot == null) {
        ended = true;
        return;
      }
      ended = true;
      double seconds = (clock.nanoTime() - startNanos) / 1e9;
      audit.record(
          AuditEvent.of(AuditEvent.COMMAND_SOURCE_END)
              .principal(who)
              .robot(robot)
              .detail(
                  "Control stream ended: "
                      + status.getCode()
                      + (status.getDescription() == null
                          ? ""
                          : " (" + status.getDescription() + ")"))
              .field("status", status.getCode().name())
              .field("observations", messages)
              .field("seconds", Math.round(seconds * 1000) / 1000.0));
    }
  }
}
