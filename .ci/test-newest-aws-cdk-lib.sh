#!/usr/bin/env bash
# The unit tests against the newest aws-cdk-lib 2.x and cdk-nag 3.x, in a copy of the project, so that
# the pinned floor (aws-cdk-lib 2.93.0 with cdk-nag 2) in package-lock.json stays untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work"
cp -a node_modules "$work/"
cd "$work"
# integ-tests-alpha pins the floor aws-cdk-lib as its peer; the unit tests do not use it
npm install --no-save --no-audit --no-fund --legacy-peer-deps aws-cdk-lib@^2 constructs@^10 cdk-nag@^3 @aws-cdk/aws-imagebuilder-alpha
version() { node -p "require('$1/package.json').version"; }
echo "unit tests with aws-cdk-lib $(version aws-cdk-lib), cdk-nag $(version cdk-nag), aws-imagebuilder-alpha $(version @aws-cdk/aws-imagebuilder-alpha)"
REQUIRE_IMAGEBUILDER_ALPHA=1 npx jest --ci --coverage=false
