package mantis.ros.msg;

/**
 * {@code std_msgs/MultiArrayDimension}.
 *
 * @param label name of the dimension
 * @param size number of elements along it, uint32
 * @param stride elements spanned by one step of the enclosing dimension, uint32
 */
public record MultiArrayDimension(String label, long size, long stride) {
  public MultiArrayDimension {
    Checks.string(label, "label");
    Checks.uint32(size, "size");
    Checks.uint32(stride, "stride");
  }
}
