"""CI posture: how CI files handle credentials (static cloud keys where federation belongs, literal
credentials, secrets exposed to untrusted code) and which workloads use which credentials.

Pure and without I/O: ``check_ci_file(path, text)`` looks at one file's text; ``find_shared`` looks
across the workloads of many files and repositories.
"""

from secret_sprawl.detectors.posture.check import check_ci_file, ci_system
from secret_sprawl.detectors.posture.model import PostureFinding, PostureResult, Workload
from secret_sprawl.detectors.posture.rules import PostureRule, posture_rules
from secret_sprawl.detectors.posture.shared import (
    DEFAULT_SHARED_JOBS_THRESHOLD,
    SharedSecret,
    find_shared,
)

__all__ = [
    "DEFAULT_SHARED_JOBS_THRESHOLD",
    "PostureFinding",
    "PostureResult",
    "PostureRule",
    "SharedSecret",
    "Workload",
    "check_ci_file",
    "ci_system",
    "find_shared",
    "posture_rules",
]
