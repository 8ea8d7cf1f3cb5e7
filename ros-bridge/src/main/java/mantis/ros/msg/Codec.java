package mantis.ros.msg;

import java.util.Objects;

/** A {@link RosMessageType} built from a write function and a read function. */
final class Codec<T> implements RosMessageType<T> {
  interface Writer<T> {
    void write(RosWriter out, T message);
  }

  interface Reader<T> {
    T read(RosReader in);
  }

  private final String type;
  private final String md5sum;
  private final String definition;
  private final Class<T> javaType;
  private final Writer<T> writer;
  private final Reader<T> reader;

  Codec(MsgDefinitions defs, String type, Class<T> javaType, Writer<T> writer, Reader<T> reader) {
    this.type = type;
    this.md5sum = defs.md5sum(type);
    this.definition = defs.fullText(type);
    this.javaType = javaType;
    this.writer = writer;
    this.reader = reader;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String md5sum() {
    return md5sum;
  }

  @Override
  public String definition() {
    return definition;
  }

  @Override
  public byte[] encode(T message) {
    Objects.requireNonNull(message, () -> type + " message must not be null");
    RosWriter out = new RosWriter();
    writer.write(out, javaType.cast(message));
    return out.toByteArray();
  }

  @Override
  public T decode(byte[] bytes) {
    Objects.requireNonNull(bytes, () -> "bytes to decode as " + type + " must not be null");
    RosReader in = new RosReader(bytes);
    T message;
    try {
      message = reader.read(in);
    } catch (IllegalArgumentException e) {
      throw new InvalidMessageException("invalid " + type + ": " + e.getMessage(), e);
    } catch (MessageFormatException e) {
      throw new MessageFormatException("cannot decode " + type + ": " + e.getMessage(), e);
    }
    in.expectEnd(type);
    return message;
  }

  @Override
  public String toString() {
    return type + " (" + md5sum + ")";
  }
}
