package mantis.security;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An audit log that keeps its events in memory. */
final class RecordingAuditLog implements AuditLog {
  final List<AuditEvent> events = new CopyOnWriteArrayList<>();

  @Override
  public void record(AuditEvent event) {
    events.add(event);
  }

  @Override
  public void close() {}
}
