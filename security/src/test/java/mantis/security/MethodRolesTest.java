package mantis.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class MethodRolesTest {
  private final MethodRoles roles = MethodRoles.defaults();

  @Test
  void theDefaultTableGivesEachMantisMethodItsRole() {
    assertEquals(Role.VIEWER, roles.required("mantis.v1.PolicyService/Describe"));
    assertEquals(Role.VIEWER, roles.required("mantis.v1.PolicyService/Annotate"));
    assertEquals(Role.OPERATOR, roles.required("mantis.v1.PolicyService/Predict"));
    assertEquals(Role.OPERATOR, roles.required("mantis.v1.PolicyService/Control"));
    assertEquals(Role.OPERATOR, roles.required("mantis.v1.ArmService/StreamCommands"));
    assertEquals(Role.OPERATOR, roles.required("mantis.v1.ArmService/Hold"));
    assertEquals(
        Role.VIEWER,
        roles.required("mantis.v1.ArmService/EStop"),
        "any authenticated caller may e-stop");
    assertEquals(Role.ADMIN, roles.required("mantis.v1.ArmService/Reset"));
  }

  @Test
  void healthAndBothReflectionVersionsNeedAViewer() {
    assertEquals(Role.VIEWER, roles.required("grpc.health.v1.Health/Check"));
    assertEquals(Role.VIEWER, roles.required("grpc.health.v1.Health/Watch"));
    assertEquals(
        Role.VIEWER, roles.required("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
    assertEquals(
        Role.VIEWER,
        roles.required("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  }

  @Test
  void anythingNotInTheTableNeedsAdmin() {
    assertEquals(Role.ADMIN, roles.required("mantis.v1.PolicyService/Train"));
    assertEquals(Role.ADMIN, roles.required("mantis.v2.PolicyService/Predict"));
    assertEquals(Role.ADMIN, roles.required("grpc.healthz.Health/Check"));
    assertEquals(Role.ADMIN, roles.required("nonsense"));
  }

  @Test
  void theMostSpecificPatternWins() {
    MethodRoles r =
        MethodRoles.builder()
            .put("a.*", Role.OPERATOR)
            .put("a.b.*", Role.VIEWER)
            .put("a.b.S/*", Role.ADMIN)
            .put("a.b.S/Open", Role.VIEWER)
            .optFallback(Role.OPERATOR)
            .build();
    assertEquals(Role.VIEWER, r.required("a.b.S/Open"));
    assertEquals(Role.ADMIN, r.required("a.b.S/Other"));
    assertEquals(Role.VIEWER, r.required("a.b.T/Any"));
    assertEquals(Role.OPERATOR, r.required("a.c.T/Any"));
    assertEquals(Role.OPERATOR, r.required("z.Z/Z"), "fallback");
    assertEquals(
        Role.ADMIN,
        MethodRoles.defaults().toBuilder()
            .put("mantis.v1.ArmService/EStop", Role.ADMIN)
            .build()
            .required("mantis.v1.ArmService/EStop"),
        "toBuilder overrides");
  }

  @Test
  void malformedPatternsAreRefused() {
    for (String bad : new String[] {"", "a b/C", "a/b/c", "a.S/X*", "*", "a*", "a.S/"}) {
      assertThrows(
          IllegalArgumentException.class, () -> MethodRoles.builder().put(bad, Role.VIEWER), bad);
    }
  }

  @Test
  void rolesIncludeTheOnesBelowThem() {
    assertEquals(true, Role.ADMIN.includes(Role.OPERATOR));
    assertEquals(true, Role.ADMIN.includes(Role.VIEWER));
    assertEquals(true, Role.OPERATOR.includes(Role.VIEWER));
    assertEquals(true, Role.VIEWER.includes(Role.VIEWER));
    assertEquals(false, Role.VIEWER.includes(Role.OPERATOR));
    assertEquals(false, Role.OPERATOR.includes(Role.ADMIN));
    assertEquals(Role.OPERATOR, Role.parse(" Operator "));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Role.parse("root"));
    assertEquals("role must be viewer, operator or admin, got 'root'", e.getMessage());
  }
}
