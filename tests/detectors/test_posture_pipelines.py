"""GitLab CI, CircleCI and Azure Pipelines beyond the fixtures: extends, id_tokens, contexts, orbs,
stages, and the secret names recorded for each job."""

from __future__ import annotations

from textwrap import dedent

from secret_sprawl.detectors.posture import check_ci_file


def check(path: str, source: str):
    return check_ci_file(path, dedent(source))


def test_gitlab_extends_id_tokens_and_settings_variables():
    result = check(".gitlab-ci.yml", """\
        variables:
          MODEL: small
        .oidc:
          id_tokens:
            GCP_ID_TOKEN:
              aud: [https://iam.googleapis.com/projects/1/providers/gitlab]
        train:
          extends: .oidc
          script:
            - gcloud auth login --cred-file=<(echo "$GCP_ID_TOKEN")
            - python train.py --hf-token "$HF_TOKEN" --job "$CI_JOB_ID" --model "$MODEL"
        publish:
          script:
            - aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY"
          secrets:
            REGISTRY_PASSWORD:
              vault: ci/registry/password@kv
        """)
    assert [(f.line, f.rule_id, f.job) for f in result.findings] == [
        (14, "gitlab-static-cloud-keys", "publish")]
    assert [(w.job, w.secrets, w.identities, w.federation) for w in result.workloads] == [
        ("train", ("HF_TOKEN",), ("gitlab-oidc:GCP_ID_TOKEN:https://iam.googleapis.com/projects/1/providers/gitlab",),
         "mixed"),
        ("publish", ("AWS_SECRET_ACCESS_KEY", "REGISTRY_PASSWORD"), (), "static-secret"),
    ]


def test_gitlab_global_cloud_keys_are_fine_only_when_every_job_is_federated():
    source = dedent("""\
        variables:
          AWS_ACCESS_KEY_ID: $ORG_AWS_KEY_ID
        deploy:
          id_tokens:
            AWS_TOKEN: {aud: sts.amazonaws.com}
          script: [./deploy.sh]
        """)
    assert check(".gitlab-ci.yml", source).findings == []
    unfederated = source + "lint:\n  script: [make lint]\n"
    assert [(f.line, f.rule_id) for f in check(".gitlab-ci.yml", unfederated).findings] == [
        (2, "gitlab-static-cloud-keys")]


def test_gitlab_literal_in_a_value_mapping():
    result = check(".gitlab-ci.yml", """\
        build:
          variables:
            NPM_TOKEN:
              value: Zq81vBx0PlmW4kT7cYr2
              description: registry token
          script: [npm publish]
        """)
    assert [(f.line, f.rule_id, f.job, f.subject) for f in result.findings] == [
        (4, "gitlab-literal-variable", "build", "NPM_TOKEN")]
    assert result.workloads[0].federation == "static-secret"


def test_circleci_contexts_orb_keys_and_image_auth():
    result = check(".circleci/config.yml", """\
        version: 2.1
        jobs:
          build:
            docker:
              - image: private.registry.invalid/builder:1
                auth:
                  username: bot
                  password: Zq81vBx0PlmW4kT7cYr2
            steps:
              - checkout
              - aws-cli/setup:
                  aws_access_key_id: BUILD_AWS_KEY_ID
                  aws_secret_access_key: BUILD_AWS_SECRET
              - run: ./build.sh
        workflows:
          main:
            jobs:
              - build:
                  context: [org-global, model-keys]
        """)
    assert [(f.line, f.rule_id) for f in result.findings] == [
        (8, "circleci-literal-credential"), (12, "circleci-static-cloud-keys")]
    assert result.workloads[0].secrets == (
        "BUILD_AWS_KEY_ID", "BUILD_AWS_SECRET", "context:model-keys", "context:org-global")
    assert result.workloads[0].workflow == "main"


def test_azure_stages_jobs_variables_and_macros():
    result = check("azure-pipelines.yml", """\
        variables:
          region: westeurope
        stages:
          - stage: train
            variables:
              - name: ARM_CLIENT_SECRET
                value: $(SpSecret)
            jobs:
              - job: fit
                steps:
                  - script: python fit.py --key $(OPENAI_API_KEY) --region $(region)
          - stage: ship
            jobs:
              - deployment: release
                strategy:
                  runOnce:
                    deploy:
                      steps:
                        - bash: ./release.sh
                          env:
                            DEPLOY_TOKEN: $(ReleaseToken)
        """)
    assert [(f.line, f.rule_id, f.job) for f in result.findings] == [
        (6, "azure-pipelines-static-cloud-keys", "train.fit")]
    assert [(w.job, w.secrets) for w in result.workloads] == [
        ("train.fit", ("OPENAI_API_KEY", "SpSecret")),
        ("ship.release", ("ReleaseToken",)),
    ]
