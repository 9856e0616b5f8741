"""The distributed copy of the log: the event envelope that goes to Kafka."""

# Kafka clients try a lost broker again at most a second apart. kafka-python's
# own limit is 30 s, which can leave a relay or projector idle for half a
# minute after a restarted broker is back.
RECONNECT = {"reconnect_backoff_max_ms": 1_000}
