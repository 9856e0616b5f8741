"""The cadence: segment files, message words and templates, channels, scheduler."""
