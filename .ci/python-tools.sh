#!/usr/bin/env bash
# The Python tools the checks use (cfn-lint, and moto's server as a local CloudFormation and IAM), in a
# virtual environment under build/, never in the system Python. Idempotent: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=build/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import cfnlint, moto.server' 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'cfn-lint==1.58.0' 'moto[server]==5.2.5'
fi
