"""Identity and reach: ask each provider, read-only, who a live credential belongs to and what it can do."""
