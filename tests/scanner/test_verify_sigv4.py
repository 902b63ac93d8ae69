"""The SigV4 signer against cases of AWS's published Signature Version 4 test suite."""

from datetime import UTC, datetime

import pytest
from secret_sprawl.scanner.verify.sigv4 import sign

# AWS's documented example credentials from the test suite (not a real key).
ACCESS, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
WHEN = datetime(2015, 8, 30, 12, 36, tzinfo=UTC)
SCOPE = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "expected"),
    [
        ("GET", "https://example.amazonaws.com/", {}, b"",
         "SignedHeaders=host;x-amz-date, "
         "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        ("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", {}, b"",
         "SignedHeaders=host;x-amz-date, "
         "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        ("POST", "https://example.amazonaws.com/", {"Content-Type": "application/x-www-form-urlencoded"},
         b"Param1=value1",
         "SignedHeaders=content-type;host;x-amz-date, "
         "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ],
    ids=["get-vanilla", "get-vanilla-query-order-key-case", "post-x-www-form-urlencoded"],
)
def test_signature_matches_aws_test_suite(method, url, headers, body, expected):
    signed = sign(method, url, headers, body, access_key=ACCESS, secret_key=SECRET,
                  region="us-east-1", service="service", now=WHEN)
    assert signed["Authorization"] == f"{SCOPE}, {expected}"
    assert signed["X-Amz-Date"] == "20150830T123600Z"
    assert signed["Host"] == "example.amazonaws.com"
