"""Where a secret may be sent: the operator's override, else the provider's official base URL.

The one host ever taken from scanned content is an Azure OpenAI resource endpoint, and only over
https on ``*.openai.azure.com`` / ``*.cognitiveservices.azure.com`` (the spec's ``context_hosts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from secret_sprawl.detectors.verification import VerifierSpec, host_allowed


def base_url_for(
    spec: VerifierSpec, overrides: Mapping[str, str], context: tuple[tuple[str, str], ...]
) -> str | None:
    """The base URL to call, or None when there is no trustworthy one."""
    if spec.provider in overrides:
        return overrides[spec.provider].rstrip("/")
    if spec.base_url:
        return spec.base_url.rstrip("/")
    for _name, value in sorted(context):
        if host_allowed(value.strip(), spec.context_hosts):
            return f"https://{urlsplit(value.strip()).hostname}"  # the host only: never a scanned path
    return None
