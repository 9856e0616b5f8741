"""A sandbox payment gateway that behaves like a real one, for demos and tests."""
