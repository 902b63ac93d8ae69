"""Reusable widgets of the sprawl TUI."""
