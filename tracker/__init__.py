"""Tracker: what we know over time.

Every secret by fingerprint (never in plaintext), where it was seen, when it was exposed and
revoked, the append-only audit log, the SLA policy, MTTR metrics and the leadership exports.
It imports nothing of ours but ``detectors`` types.
"""
