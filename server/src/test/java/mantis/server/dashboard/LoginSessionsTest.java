package mantis.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
}
