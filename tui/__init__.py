"""Triage terminal UI (``sprawl tui``): a Textual view over the tracker and its actions.

It imports only the tracker; every change it makes goes through ``tracker.lifecycle`` so the audit
log is the same whichever door was used.
"""
