package mantis.security;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Services with Mantis's method names whose every method answers with the caller's principal as
 * {@code name|role|peer}; strings on the wire, so these tests need no generated code.
 */
final class FakeServices {
  static final MethodDescriptor.Marshaller<String> STRING =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final String PREDICT = "mantis.v1.PolicyService/Predict";
  static final String CONTROL = "mantis.v1.PolicyService/Control";
  static final String DESCRIBE = "mantis.v1.PolicyService/Describe";
  static final String ANNOTATE = "mantis.v1.PolicyService/Annotate";
  static final String ESTOP = "mantis.v1.ArmService/EStop";
  static final String RESET = "mantis.v1.ArmService/Reset";
  static final String HOLD = "mantis.v1.ArmService/Hold";
  static final String HEALTH = "grpc.health.v1.Health/Check";
  static final String REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  static final String SECRET = "mantis.v1.SecretService/Do";
  static final String POLICY_UNLISTED = "mantis.v1.PolicyService/NewMethodNobodyListed";

  private FakeServices() {}

  static MethodDescriptor<String, String> unary(String fullName) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName)
        .setRequestMarshaller(STRING)
        .setResponseMarshaller(STRING)
        .build();
  }

  /** One service per name, each method echoing the principal. */
  static List<ServerServiceDefinition> all() {
    return List.of(
        service("mantis.v1.PolicyService", PREDICT, CONTROL, DESCRIBE, ANNOTATE, POLICY_UNLISTED),
        service("mantis.v1.ArmService", ESTOP, RESET, HOLD),
        service("grpc.health.v1.Health", HEALTH),
        service("grpc.reflection.v1.ServerReflection", REFLECTION),
        service("mantis.v1.SecretService", SECRET));
  }

  private static ServerServiceDefinition service(String name, String... methods) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(name);
    for (String m : methods) {
      b.addMethod(
          unary(m),
          ServerCalls.asyncUnaryCall(
              (String req, io.grpc.stub.StreamObserver<String> out) -> {
                Principal p = Principal.current();
                out.onNext(p.name() + "|" + p.role() + "|" + p.peer());
                out.onCompleted();
              }));
    }
    return b.build();
  }

  /** Calls {@code method} with these options (5 s deadline added). */
  static String call(Channel ch, String method, CallOptions options) {
    return ClientCalls.blockingUnaryCall(
        ch, unary(method), options.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
  }
}
