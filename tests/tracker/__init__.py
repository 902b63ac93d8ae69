"""Tests of the tracker package."""
