"""Scheduled scans: the APScheduler daemon that mirrors the tracker's schedules, and the job it runs."""
