"""AWS Signature Version 4 for one request, signed by botocore's ``SigV4Auth``.

The signer is AWS's own (canonical request, header and query rules, key derivation); this module only
adapts it to the call the verification and identity clients make: a method, a URL, headers and a body
in, the headers to send out. ``now`` is the signing instant, so a signature is reproducible in tests.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
    now: datetime,
) -> dict[str, str]:
    """The headers to send: ``headers`` plus ``Host``, ``X-Amz-Date`` and ``Authorization``."""
    request = AWSRequest(method=method.upper(), url=url, data=body, headers=dict(headers))
    _SignerAt(Credentials(access_key, secret_key), service, region, now).add_auth(request)
    return {**headers, "Host": urlsplit(url).netloc, "X-Amz-Date": request.headers["X-Amz-Date"],
            "Authorization": request.headers["Authorization"]}


class _SignerAt(SigV4Auth):
    """botocore's SigV4 signer at a given instant (its own ``add_auth`` always reads the clock)."""

    def __init__(self, credentials: Credentials, service: str, region: str, now: datetime) -> None:
        super().__init__(credentials, service, region)
        self._now = now

    def add_auth(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self._now.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical = self.canonical_request(request)
        self._inject_signature_to_request(request, self.signature(self.string_to_sign(request, canonical),
                                                                  request))
