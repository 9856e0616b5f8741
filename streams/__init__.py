"""The distributed copy of the log: the event envelope that goes to Kafka."""
