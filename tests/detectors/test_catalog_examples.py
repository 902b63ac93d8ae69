"""Every rule of the built-in catalog, run through the real engine on its own examples.

Each example scanned alone must yield exactly its ``secret`` from that rule; each negative example
must yield nothing from that rule. This is what keeps the catalog from rotting.
"""

from __future__ import annotations

import pytest
from secret_sprawl.detectors.catalog import load_catalog
from secret_sprawl.detectors.engine import Engine, build_engine
from secret_sprawl.detectors.selftest import check_rule

CATALOG = load_catalog()
ISSUE_PROVIDERS = [
    "openai", "anthropic", "google", "azure-openai", "aws", "gcp", "huggingface", "cohere", "mistral",
    "groq", "together", "fireworks", "replicate", "perplexity", "xai", "deepseek", "openrouter",
    "langsmith", "langfuse", "pinecone", "wandb", "elevenlabs", "assemblyai", "deepgram", "stability",
    "voyage", "llamacloud", "tavily", "databricks", "github", "gitlab", "bitbucket", "azure", "slack",
    "stripe", "twilio", "sendgrid", "npm", "pypi", "docker", "vault", "private-key", "jwt", "postgres",
    "mysql", "mongodb", "redis", "amqp", "generic",
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine()


@pytest.mark.parametrize("rule", CATALOG.rules, ids=lambda rule: rule.id)
def test_rule_examples_pass_through_the_engine(engine, rule):
    assert check_rule(engine, rule) == []


def test_catalog_has_at_least_120_rules_with_unique_ids():
    ids = [rule.id for rule in CATALOG.rules]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 120


@pytest.mark.parametrize("provider", ISSUE_PROVIDERS)
def test_every_provider_named_in_the_issue_is_covered(provider):
    assert provider in CATALOG.providers()
