"""Edges of o2c: the CLI, file parsers, logging and the wiring of the parts."""
