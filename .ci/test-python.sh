#!/usr/bin/env bash
# Builds the Python package, installs the wheel in a new virtual environment (aws-cdk-lib, constructs and
# the jsii runtime come from PyPI, as in a user's install) and runs the Python tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=.ci/timed.sh
source .ci/timed.sh

timed "python package (npx projen package:python)" npx projen package:python

venv=.venv
rm -rf "$venv"
install_wheel() {
  python3 -m venv "$venv"
  # the alpha Image Builder L2, for README's example of it (a pre-release: aws-cdk-lib's newest alpha)
  "$venv/bin/pip" install --quiet --disable-pip-version-check dist/python/*.whl pytest twine 'aws-cdk.aws-imagebuilder-alpha>=2.224.0a0'
}
timed "python install (the wheel, its dependencies from PyPI, pytest, twine)" install_wheel

"$venv/bin/twine" check --strict dist/python/*

timed "python tests (pytest)" "$venv/bin/pytest" test/python
