"""Live verification: ask each provider, read-only, whether a found credential still works."""
