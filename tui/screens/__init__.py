"""Screens (queue, detail, dashboard, schedules, modals) of the sprawl TUI."""
