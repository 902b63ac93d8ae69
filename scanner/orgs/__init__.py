"""Organisation targets: ``github://ORG``, ``gitlab://GROUP[/SUB…]`` and ``huggingface://ORG``.

Each host's enumerator lists the organisation's repositories through its REST API; the expansion
turns an organisation target into one remote target per repository, named ``host/org/repo``.
"""
