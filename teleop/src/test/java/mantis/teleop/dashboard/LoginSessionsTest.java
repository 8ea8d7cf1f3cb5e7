package mantis.teleop.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import mantis.security.Role;
import org.junit.jupiter.api.Test;

class LoginSessionsTest {
  private final AtomicLong nanos = new AtomicLong(-5);
  private final LoginSessions sessions = new LoginSessions(nanos::get, 1_000, 3);

  @Test
  void aSessionLastsItsTimeToLive() {
    String id = sessions.create();
    assertTrue(id.length() >= 40, id);
    assertTrue(sessions.valid(id));
    nanos.addAndGet(999);
    assertTrue(sessions.valid(id));
    nanos.addAndGet(1);
    assertFalse(sessions.valid(id));
  }

  @Test
  void idsAreRandomAndOnlyExactOnesCount() {
    String a = sessions.create();
    String b = sessions.create();
    assertNotEquals(a, b);
    assertFalse(sessions.valid(a.toUpperCase()));
    assertFalse(sessions.valid(a + "x"));
    assertFalse(sessions.valid(null));
    assertFalse(sessions.valid(""));
  }

  @Test
  void removeEndsASession() {
    String id = sessions.create();
    sessions.remove(id);
    assertFalse(sessions.valid(id));
  }

  @Test
  void theOldestSessionGoesWhenTheStoreIsFull() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(sessions.create());
    }
    assertEquals(3, sessions.size());
    assertFalse(sessions.valid(ids.get(0)));
    assertTrue(sessions.valid(ids.get(3)));
  }

  /**
   * Before this change the store dropped the globally oldest of 256 sessions: a viewer logging in
   * 256 times logged out every operator and admin.
   */
  @Test
  void aViewerLoggingInAgainAndAgainLogsOutNobodyElse() {
    LoginSessions store = new LoginSessions(nanos::get, 1_000, LoginSessions.DEFAULT_MAX_SESSIONS);
    String admin = store.create(new LoginSessions.Session("lab-admin", Role.ADMIN));
    String operator = store.create(new LoginSessions.Session("lab-operator", Role.OPERATOR));
    List<String> viewer = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      viewer.add(store.create(new LoginSessions.Session("lab-viewer", Role.VIEWER)));
    }
    assertTrue(store.valid(admin), "the admin is still logged in");
    assertTrue(store.valid(operator), "the operator is still logged in");
    assertTrue(store.valid(viewer.get(299)));
    assertFalse(store.valid(viewer.get(0)), "the viewer's own oldest sessions went");
    assertEquals(LoginSessions.DEFAULT_MAX_PER_PRINCIPAL, store.sessionsOf("lab-viewer"));
  }

  @Test
  void whenTheStoreIsFullThePrincipalHoldingTheMostGivesUpItsOldest() {
    LoginSessions store = new LoginSessions(nanos::get, 1_000, 6, 3);
    List<String> a = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      a.add(store.create(new LoginSessions.Session("a", Role.VIEWER)));
    }
    String b1 = store.create(new LoginSessions.Session("b", Role.OPERATOR));
    String b2 = store.create(new LoginSessions.Session("b", Role.OPERATOR));
    String c1 = store.create(new LoginSessions.Session("c", Role.ADMIN));
    assertEquals(6, store.size());
    String d1 = store.create(new LoginSessions.Session("d", Role.VIEWER));
    assertFalse(store.valid(a.get(0)), "a held the most: its oldest went");
    assertTrue(
        store.valid(a.get(1))
            && store.valid(b1)
            && store.valid(b2)
            && store.valid(c1)
            && store.valid(d1));
    // a and b hold two each now: the one whose oldest session is oldest (a) gives one up.
    store.create(new LoginSessions.Session("e", Role.VIEWER));
    assertFalse(store.valid(a.get(1)));
    assertTrue(store.valid(b1) && store.valid(c1));
    // b holds the most (two; d one): b gives up its oldest.
    store.create(new LoginSessions.Session("d", Role.VIEWER));
    assertFalse(store.valid(b1));
    assertTrue(store.valid(b2) && store.valid(c1) && store.valid(d1));
    // Now d holds two, as many as anyone: a new login of d ends d's own oldest.
    store.create(new LoginSessions.Session("d", Role.VIEWER));
    assertFalse(store.valid(d1), "the newcomer's own oldest");
    assertTrue(store.valid(b2) && store.valid(c1));
    assertEquals(6, store.size());
  }
}
