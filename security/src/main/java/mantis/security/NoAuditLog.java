package mantis.security;

/** {@link AuditLog#none()}. */
final class NoAuditLog implements AuditLog {
  static final NoAuditLog INSTANCE = new NoAuditLog();

  private NoAuditLog() {}

  @Override
  public void record(AuditEvent event) {}

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "AuditLog.none()";
  }
}
