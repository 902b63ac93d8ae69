"""The ``sprawl`` subcommands, one module each, registered as ``sprawl.commands`` entry points."""
