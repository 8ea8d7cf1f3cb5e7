package mantis.ros.master;

/** A topic and its message type, as {@code getPublishedTopics}/{@code getTopicTypes} list them. */
public record TopicType(String topic, String type) {}
