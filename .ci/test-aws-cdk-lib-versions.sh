#!/usr/bin/env bash
# The unit tests against aws-cdk-lib releases across the supported range, each with the cdk-nag major that
# supports it (2 below 2.257, 3 from 2.257), in one copy of the project, so that the pinned floor in
# package-lock.json stays untouched. Each release is installed once. Prints one line per release, and the total.
#
# Why these releases: the floor; one around 2.150 and one around 2.200; 2.257.0, the first with
# Validations and cdk-nag 3, where cdk-nag 3.0.2 cannot run as a plugin (so it also runs with cdk-nag 2);
# 2.263.0 (what Maven resolves the library's range to) and 2.268.0, the last that rejects '::' in
# acknowledgment ids; 2.269.0, the first that accepts them; and the newest 2.x, with
# @aws-cdk/aws-imagebuilder-alpha, whose tests cannot be skipped there.
set -euo pipefail
cd "$(dirname "$0")/.."

newest=$(npm view 'aws-cdk-lib@^2' version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).pop())')
# aws-cdk-lib release, cdk-nag release (the newest of its major whose peer range includes that aws-cdk-lib)
matrix=(
  "2.93.0 2.27.231"
  "2.150.0 2.28.196"
  "2.200.0 2.38.2"
  "2.257.0 3.0.2"
  "2.257.0 2.38.2"
  "2.263.0 3.0.2"
  "2.268.0 3.0.2"
  "2.269.0 3.0.2"
  "$newest 3.0.2"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work"
cp -a node_modules "$work/"
cd "$work"

version() { node -p "require('$1/package.json').version"; }
summary=()
start_all=$SECONDS
for entry in "${matrix[@]}"; do
  read -r cdk nag <<<"$entry"
  extra=()
  alpha=""
  if [ "$cdk" = "$newest" ]; then
    # the alpha is released for aws-cdk-lib 2.270 and newer; its latest release goes with the newest aws-cdk-lib
    extra=(@aws-cdk/aws-imagebuilder-alpha)
    alpha=1
  fi
  start=$SECONDS
  # integ-tests-alpha pins the floor aws-cdk-lib as its peer; the unit tests do not use it
  npm install --no-save --no-audit --no-fund --legacy-peer-deps --loglevel=error \
    "aws-cdk-lib@$cdk" 'constructs@^10' "cdk-nag@$nag" "${extra[@]}" >/dev/null
  installed=$((SECONDS - start))
  if [ "$(version aws-cdk-lib)" != "$cdk" ] || [ "$(version cdk-nag)" != "$nag" ]; then
    echo "expected aws-cdk-lib $cdk and cdk-nag $nag, got $(version aws-cdk-lib) and $(version cdk-nag)" >&2
    exit 1
  fi
  start=$SECONDS
  log=$(mktemp -p "$work")
  # the sources and tests type-check against this release's typings too (ts-jest caches what it compiled with
  # the floor's, so the tests alone would not notice an interface that grew a member)
  if ! npx tsc --noEmit -p tsconfig.dev.json >"$log" 2>&1; then
    cat "$log" >&2
    echo "FAILED: the type check with aws-cdk-lib $cdk" >&2
    exit 1
  fi
  typecheck=$((SECONDS - start))
  start=$SECONDS
  # the evaluator, the document reader and the property tests do not depend on aws-cdk-lib's version (the build runs
  # them with the floor): they run again with the newest only, and every other test on every release
  ignore=('/node_modules/' '/cdk.out/' '\.snapshot/' '/test/deploy/')
  if [ -z "$alpha" ]; then
    ignore+=('/test/private/policy-evaluation' '/test/private/component-document' '/test/private/ssm-references'
      '/test/private/aws-managed-policies' '\.properties\.test')
  fi
  if ! REQUIRE_IMAGEBUILDER_ALPHA=$alpha npx jest --ci --coverage=false --testPathIgnorePatterns "${ignore[@]}" \
    --json --outputFile="$log.json" >"$log" 2>&1; then
    cat "$log" >&2
    echo "FAILED: aws-cdk-lib $cdk with cdk-nag $nag" >&2
    exit 1
  fi
  counts=$(node -e 'const r = require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numPendingTests} skipped`)' "$log.json")
  line="aws-cdk-lib $cdk, cdk-nag $nag${alpha:+, aws-imagebuilder-alpha $(version @aws-cdk/aws-imagebuilder-alpha)}: $counts (install ${installed}s, type check ${typecheck}s, tests $((SECONDS - start))s)"
  echo "$line"
  summary+=("$line")
done
echo "aws-cdk-lib version matrix: ${#matrix[@]} releases passed in $((SECONDS - start_all))s"
printf '  %s\n' "${summary[@]}"
