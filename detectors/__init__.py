"""Detectors: what a secret looks like.

The rule catalog (TOML data in ``rules/``), the matching engine, entropy, redaction and the
CI-posture checks. This package is pure: it imports nothing else of ours and does no I/O beyond
reading its own rule files.
"""
