#!/usr/bin/env bash
# Builds the Python package, installs the wheel in a new virtual environment (aws-cdk-lib, constructs and
# the jsii runtime come from PyPI, as in a user's install) and runs the Python tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
npx projen package:python
echo "python package built in $((SECONDS - start))s"

venv=.venv
rm -rf "$venv"
start=$SECONDS
python3 -m venv "$venv"
# the alpha Image Builder L2, for README's example of it (a pre-release: aws-cdk-lib's newest alpha)
"$venv/bin/pip" install --quiet --disable-pip-version-check dist/python/*.whl pytest twine 'aws-cdk.aws-imagebuilder-alpha>=2.224.0a0'
echo "python install (wheel, its dependencies from PyPI, pytest, twine) took $((SECONDS - start))s"

"$venv/bin/twine" check --strict dist/python/*

start=$SECONDS
"$venv/bin/pytest" test/python
echo "python tests took $((SECONDS - start))s"
