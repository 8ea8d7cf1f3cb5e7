package mantis.server.dashboard;

import mantis.server.teleop.Teleop;

/** The teleop session behind the browser tests. */
final class TeleopFixture implements AutoCloseable {
  private final Teleop teleop;

  private TeleopFixture(Teleop teleop) {
    this.teleop = teleop;
  }

  static TeleopFixture start() {
    return new TeleopFixture(new FakeTeleop());
  }

  Teleop teleop() {
    return teleop;
  }

  @Override
  public void close() {
    teleop.close();
  }
}
