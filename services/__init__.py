"""Application services: commands in, events saved atomically to the event store."""
