#!/usr/bin/env bash
# The benchmark on the aws-cdk-lib floor (the project's node_modules, cdk-nag 2), then on the newest aws-cdk-lib
# 2.x with cdk-nag 3, in a copy of the project so that package-lock.json stays untouched. Run after a build.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "# aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version") (the floor)"
echo
npx ts-node --project tsconfig.dev.json bench/bench.ts
echo
npx ts-node --project tsconfig.dev.json bench/access-checks.ts

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work"
cp -a node_modules "$work/"
[ -d dist ] && cp -a dist "$work/"
cd "$work"
# integ-tests-alpha pins the floor aws-cdk-lib as its peer; the benchmark does not use it
npm install --no-save --no-audit --no-fund --legacy-peer-deps --loglevel=error 'aws-cdk-lib@^2' 'constructs@^10' 'cdk-nag@^3' >/dev/null
echo
echo "# aws-cdk-lib $(node -p "require('aws-cdk-lib/package.json').version") (the newest 2.x)"
echo
npx ts-node --project tsconfig.dev.json bench/bench.ts
echo
npx ts-node --project tsconfig.dev.json bench/access-checks.ts
