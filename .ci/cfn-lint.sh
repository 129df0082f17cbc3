#!/usr/bin/env bash
# cfn-lint over the template of every integration app (the workshop example and the full-featured stack):
# no errors and no warnings. The snapshots are what the build has just checked the apps still synthesize.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/python-tools.sh

templates=()
for template in test/*.snapshot/*.template.json; do
  # integ-tests' own assertion stacks hold no resources in these apps, and are never deployed by users
  case "$template" in *DeployAssert*) continue ;; esac
  templates+=("$template")
done
build/venv/bin/cfn-lint --non-zero-exit-code warning -- "${templates[@]}"
echo "cfn-lint $(build/venv/bin/cfn-lint --version | cut -d' ' -f2): no errors or warnings in ${#templates[@]} templates"
