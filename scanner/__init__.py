"""Scanner: where to look, and the front door.

Sources (directory tree, git history, remote URL, staged changes), the pipeline that turns their
blobs into findings, output formats, the CLI and the schedules. Uses detectors and tracker.
"""

__version__ = "0.1.0"
