#!/usr/bin/env bash
# Go users: `npx projen package:go` (the release job and .ci/test-go.sh run it). Generates the Go module into
# dist/go with jsii-pacmak against the jsii packages given as arguments (aws-cdk-lib and its jsii dependencies,
# pinned in .projenrc.ts), installed in build/go-codegen rather than the project's node_modules, which keeps
# the floor for npm, PyPI and Maven. pacmak writes the Go types and the go.mod versions of the packages it finds
# next to the library, so the library is unpacked there from `npm pack`, as npm publishes it (pacmak embeds
# that tarball in the module). CONTRIBUTING.md says why Go has a floor of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
# projen puts it on the PATH of its tasks; a run by hand needs it too
export PATH="$PWD/node_modules/.bin:$PATH"

if [ "$#" = 0 ]; then
  echo "usage: $0 aws-cdk-lib@VERSION [other jsii packages@VERSION]..." >&2
  exit 2
fi
if [ ! -f .jsii ]; then
  echo "no .jsii: compile first (npx projen compile)" >&2
  exit 1
fi

work=build/go-codegen
rm -rf "$work"
mkdir -p "$work"
# not left behind: jsii-docgen (the build's API.md) reads every .jsii under the project, and would take this copy
# of the library, as it was when the module was generated, for the library itself
trap 'rm -rf "$work"' EXIT
echo '{ "name": "go-codegen", "private": true }' >"$work/package.json"
# exact versions and no lock file of ours: npm takes them as given, and the other dependencies of aws-cdk-lib are
# not jsii packages, so they do not reach the Go module
npm install --prefix "$work" --no-save --no-package-lock --no-audit --no-fund --legacy-peer-deps --loglevel=error "$@" >/dev/null
for spec in "$@"; do
  name=${spec%@*}
  want=${spec##*@}
  got=$(node -p "require('./$work/node_modules/$name/package.json').version")
  if [ "$got" != "$want" ]; then
    echo "expected $name $want in $work, got $got" >&2
    exit 1
  fi
done

tarball=$(npm pack --pack-destination "$work" --loglevel=error | tail -n 1)
tar -xzf "$work/$tarball" -C "$work"

rm -rf dist/go
jsii-pacmak -v --target go --code-only --outdir "$PWD/dist" "$work/package"
echo "dist/go generated against $*"
