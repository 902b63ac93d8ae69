"""GitHub Actions checks beyond the fixtures: which variants fire, which near misses do not, and what
each job is recorded as (secret names, identities, federation status)."""

from __future__ import annotations

from textwrap import dedent

from secret_sprawl.detectors.posture import check_ci_file

PATH = ".github/workflows/ci.yml"
GCP_PROVIDER = "projects/1/locations/global/workloadIdentityPools/gh/providers/p"
AZURE_CLIENT = "azure-client-id:00000000-0000-0000-0000-000000000001"


def check(source: str):
    return check_ci_file(PATH, dedent(source))


def found(source: str) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule_id, f.subject) for f in check(source).findings]


def test_workflow_run_checkout_of_the_head_with_inherited_secrets_is_flagged():
    assert found("""\
        on:
          workflow_run:
            workflows: [build]
        jobs:
          report:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.workflow_run.head_sha }}
              - run: ./report.sh
                env:
                  TOKEN_FOR_REPORTS: ${{ secrets.REPORTS_TOKEN }}
        """) == [(10, "gha-pull-request-target-secrets", "pull request head checkout")]


def test_plain_pull_request_checkout_of_the_head_is_not_privileged():
    assert found("""\
        on: pull_request
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.pull_request.head.sha }}
              - run: pytest
                env:
                  OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
        """) == []


def test_privileged_head_checkout_without_secrets_is_not_this_rule():
    assert found("""\
        on: pull_request_target
        jobs:
          label:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  ref: ${{ github.event.pull_request.head.sha }}
        """) == []


def test_secret_echoed_through_an_env_variable_and_piped_use_is_not():
    assert found("""\
        on: push
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo "$DEPLOY_KEY" | ssh-add -
                  printf '%s\\n' "${DEPLOY_KEY}" > key.pem
                  echo "using key $DEPLOY_KEY"
        """) == [(11, "gha-secret-echoed", "DEPLOY_KEY")]


def test_pat_named_secret_anywhere_and_tokens_given_to_gh_and_git_push():
    assert found("""\
        on: push
        jobs:
          sync:
            runs-on: ubuntu-latest
            env:
              GH_TOKEN: ${{ secrets.SYNC_BOT_TOKEN }}
            steps:
              - run: gh pr list
              - run: ./mirror.sh --auth ${{ secrets.MIRROR_PAT }}
              - run: git push https://x-access-token:${{ secrets.PUSH_TOKEN }}@github.com/o/r HEAD
        """) == [
        (6, "gha-pat-instead-of-github-token", "SYNC_BOT_TOKEN"),
        (9, "gha-pat-instead-of-github-token", "MIRROR_PAT"),
        (10, "gha-pat-instead-of-github-token", "PUSH_TOKEN"),
    ]


def test_github_token_is_never_a_pat_nor_a_recorded_secret():
    result = check("""\
        on: push
        jobs:
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
                with:
                  token: ${{ secrets.GITHUB_TOKEN }}
              - run: gh release create v1
                env:
                  GH_TOKEN: ${{ github.token }}
        """)
    assert result.findings == []
    assert [(w.job, w.secrets, w.federation) for w in result.workloads] == [("release", (), "none")]


def test_reusable_workflow_with_inherited_secrets_must_be_pinned():
    assert found("""\
        on: push
        jobs:
          remote:
            uses: some-org/shared/.github/workflows/deploy.yml@v1
            secrets: inherit
          pinned:
            uses: some-org/shared/.github/workflows/deploy.yml@0123456789abcdef0123456789abcdef01234567
            secrets: inherit
          local:
            uses: ./.github/workflows/deploy.yml
            secrets: inherit
        """) == [(4, "gha-unpinned-action-with-secrets", "some-org/shared/.github/workflows/deploy.yml@v1")]


def test_static_aws_keys_in_env_count_once_per_job():
    assert found("""\
        on: push
        jobs:
          upload:
            runs-on: ubuntu-latest
            env:
              AWS_ACCESS_KEY_ID: ${{ secrets.AWS_KEY_ID }}
              AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET }}
            steps:
              - run: aws s3 ls
        """) == [(6, "gha-static-aws-keys", "AWS_ACCESS_KEY_ID")]


def test_workloads_record_secret_names_identities_and_federation():
    result = check("""\
        name: pipeline
        on: push
        permissions:
          id-token: write
        env:
          HF_TOKEN: ${{ secrets.HF_TOKEN }}
          REGION: ${{ vars.AWS_REGION }}
        jobs:
          federated:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502
                with:
                  role-to-assume: ${{ secrets.DEPLOY_ROLE_ARN }}
                  aws-region: us-east-1
          gcp:
            runs-on: ubuntu-latest
            steps:
              - uses: google-github-actions/auth@6fc4af4b145ae7821d527454aa9bd537d1f2dc5f
                with:
                  workload_identity_provider: projects/1/locations/global/workloadIdentityPools/gh/providers/p
          azure:
            runs-on: ubuntu-latest
            steps:
              - uses: azure/login@a457da9ea143d694b1b9c7c869ebb04ebe844ef5
                with:
                  client-id: 00000000-0000-0000-0000-000000000001
                  tenant-id: 00000000-0000-0000-0000-000000000002
                  subscription-id: 00000000-0000-0000-0000-000000000003
              - run: ./eval.sh ${{ secrets['OPENAI_API_KEY'] }}
        """)
    assert result.findings == []
    assert [(w.workflow, w.job, w.secrets, w.identities, w.federation) for w in result.workloads] == [
        ("pipeline", "federated", ("HF_TOKEN",), ("${{ secrets.DEPLOY_ROLE_ARN }}",), "mixed"),
        ("pipeline", "gcp", ("HF_TOKEN",), (GCP_PROVIDER,), "mixed"),
        ("pipeline", "azure", ("HF_TOKEN", "OPENAI_API_KEY"), (AZURE_CLIENT,), "mixed"),
    ]


def test_workflow_level_literal_credential_makes_every_job_static():
    result = check("""\
        on: push
        env:
          SERVICE_PASSWORD: Zq81vBx0PlmW4kT7cYr2
        jobs:
          a:
            runs-on: ubuntu-latest
            steps: [{run: make a}]
          b:
            runs-on: ubuntu-latest
            steps: [{run: make b}]
        """)
    assert [(f.line, f.rule_id, f.job) for f in result.findings] == [(3, "gha-literal-credential", "")]
    assert [(w.job, w.federation) for w in result.workloads] == [
        ("a", "static-secret"), ("b", "static-secret")]


def test_literal_registry_password_of_a_service_container():
    assert found("""\
        on: push
        jobs:
          test:
            runs-on: ubuntu-latest
            container:
              image: ghcr.io/org/runner:1
              credentials:
                username: bot
                password: ${{ secrets.GHCR_PASSWORD }}
            services:
              vectordb:
                image: registry.invalid/vectordb:2
                credentials:
                  username: bot
                  password: Zq81vBx0PlmW4kT7cYr2
            steps: [{run: pytest}]
        """) == [(15, "gha-literal-credential", "password")]


def test_yaml_anchors_and_merge_keys_are_followed():
    assert found("""\
        on: push
        x-env: &shared-env
          MODEL_API_TOKEN: Zq81vBx0PlmW4kT7cYr2
        jobs:
          eval:
            runs-on: ubuntu-latest
            env:
              <<: *shared-env
              MODE: full
            steps: [{run: make eval}]
        """) == [(3, "gha-literal-credential", "MODEL_API_TOKEN")]
