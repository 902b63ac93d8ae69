"""Structured files: which kind of place a path is, and parsers that keep findings on the right line."""
