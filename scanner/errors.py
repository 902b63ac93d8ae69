"""The scanner's own error: something the user gave (a file, a target, a value) cannot be used.

Domain modules raise it (or ``tracker.config.ConfigError`` for the config file); only ``scanner/cli.py``
turns it into a message and exit code 2.
"""


class InputError(Exception):
    """An input that cannot be used; the message says which and why."""
