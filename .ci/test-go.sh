#!/usr/bin/env bash
# Go users: generates the Go module with projen's package:go (jsii-pacmak, as the release does) and runs
# `go test` in test/go, whose go.mod points at the generated module with a replace directive. The module
# cache and the build cache are under build/go, which a fresh clone lacks. CONTRIBUTING.md says why
# package:go generates code only and why test/go/go.mod replaces one AWS CLI asset module.
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

# shellcheck source=.ci/timed.sh
source .ci/timed.sh

# the machine's Go, in /usr/local/go on this kind of machine; Debian's golang-go (1.19) is older than go.mod's 1.25
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
go version

export GOMODCACHE="$PWD/build/go/mod" GOCACHE="$PWD/build/go/cache"
# without -modcacherw the module cache is read-only and `rm -rf build` fails
export GOFLAGS="${GOFLAGS:-} -modcacherw"

rm -rf dist/go
timed "go module (npx projen package:go)" npx projen package:go
echo "dist/go/cdkimagebuilderinstanceprofile: $(du -sb dist/go/cdkimagebuilderinstanceprofile | cut -f1) bytes in $(find dist/go -type f | wc -l) files"
cat dist/go/cdkimagebuilderinstanceprofile/go.mod

cd test/go
# go.sum pins every checksum, and with -mod=readonly (the default) a go.mod that no longer matches the
# generated module fails here instead of being rewritten
timed "go modules (download)" go mod download
timed "go vet (compile)" go vet ./...
timed "go tests (run)" go test -count=1 -v ./...
