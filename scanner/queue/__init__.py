"""Scan jobs on procrastinate: the queue lives in the tracker's PostgreSQL database."""
