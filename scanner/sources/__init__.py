"""Where content comes from: a directory tree, a repository's history, a remote mirror, the index."""
