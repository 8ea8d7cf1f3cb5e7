package mantis.security;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The audit trail: one JSON object per line, per {@link AuditEvent}, with the fields {@code time}
 * (ISO-8601 UTC wall clock, milliseconds), {@code event}, {@code principal}, {@code role}, {@code
 * peer}, {@code robot_id}, {@code detail} (each left out when unknown) and the event's extra
 * fields:
 *
 * <pre>
 * {"time":"2025-06-01T09:30:12.345Z","event":"ESTOP","principal":"lab-viewer","role":"viewer","peer":"10.0.0.7:51234","robot_id":"arm-1","detail":"ArmService EStop: hand in the cell"}
 * </pre>
 *
 * <p>Use: {@code
 * audit.record(AuditEvent.of(AuditEvent.ESTOP).principal(Principal.current()).robot(id).detail(why))}.
 *
 * <p>{@link #record} never throws and never blocks for long: an audit write that fails (disk full)
 * is logged (at most every few seconds) and counted, and the command it describes goes ahead; an
 * e-stop must not fail because its audit line could not be written. Implementations are
 * thread-safe.
 */
public interface AuditLog extends AutoCloseable {
  /** Writes one event, stamped with the current time. */
  void record(AuditEvent event);

  /** Events that could not be written. */
  default long failures() {
    return 0;
  }

  /** Closes the file; later events are dropped (and counted as failures). */
  @Override
  void close();

  /** A log that drops everything. */
  static AuditLog none() {
    return NoAuditLog.INSTANCE;
  }

  /**
   * Appends to {@code file}, creating it (and its folders) with owner-only permissions where the
   * file system allows. Each line is written with one write call and reaches the operating system
   * before {@link #record} returns.
   *
   * @throws IOException naming the file when it cannot be opened for appending
   */
  static AuditLog open(Path file) throws IOException {
    return JsonLinesAuditLog.open(file, Clock.systemUTC());
  }
}
