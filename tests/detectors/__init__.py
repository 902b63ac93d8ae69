"""Tests of the detectors package."""
