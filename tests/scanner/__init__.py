"""Tests of the scanner package."""
