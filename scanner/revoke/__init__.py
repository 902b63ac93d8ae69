"""Revocation: revoke leaked credentials at their provider, then prove it with the verifier."""
