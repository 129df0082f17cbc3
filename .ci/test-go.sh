#!/usr/bin/env bash
# Go users: generates the Go module with projen's package:go (.ci/package-go.sh, as the release does) and runs
# `go vet` and `go test` in test/go, whose go.mod points at the generated module with a replace directive, twice:
# with the module's own minimum aws-cdk-go (test/go/go.mod and go.sum, read-only, must require what the generated
# go.mod requires), and with the newest aws-cdk-go the Go module proxy serves (a copy of go.mod under build/go,
# upgraded with go get ...@latest, used through -modfile). Both run; the script fails if either fails. The module
# cache and the build cache are under build/go, which a fresh clone lacks. CONTRIBUTING.md says why. Then README's
# Go quick start (test/go-quickstart), with the Image Builder L2 that .ci/alpha-bindings.sh generates, on the
# aws-cdk-go release its go.mod and go.sum pin.
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

root=$PWD
cd test/go

# test/go/go.mod must ask for the same aws-cdk-go as the generated module, or the first run does not test its minimum
required() { sed -n "s|^[[:space:]]*$1 \(v[^ ]*\).*|\1|p" "$2" | head -n 1; }
cdk=github.com/aws/aws-cdk-go/awscdk/v2
minimum=$(required "$cdk" ../../dist/go/cdkimagebuilderinstanceprofile/go.mod)
if [ "$(required "$cdk" go.mod)" != "$minimum" ]; then
  echo "the generated module requires $cdk $minimum, test/go/go.mod $(required "$cdk" go.mod); see CONTRIBUTING.md (Java and Go)" >&2
  exit 1
fi

failed=()

# the module's minimum: go.sum pins every checksum, and with -mod=readonly (the default) a go.mod that no longer
# matches the generated module fails here instead of being rewritten
echo "== aws-cdk-go $minimum (the module's minimum)"
if ! { timed "go modules (download, $minimum)" go mod download &&
  timed "go vet (compile, $minimum)" go vet ./... &&
  timed "go tests (run, $minimum)" go test -count=1 -v ./...; }; then
  failed+=("aws-cdk-go $minimum")
fi

# the newest aws-cdk-go, as a Go user who starts today gets it: Go's minimal version selection takes the newest
# requirement, so the module must build with it too
newest_dir="$root/build/go/newest"
rm -rf "$newest_dir"
mkdir -p "$newest_dir"
cp go.mod go.sum "$newest_dir/"
modfile=(-modfile "$newest_dir/go.mod")
if timed "go get $cdk@latest" go get "${modfile[@]}" "$cdk@latest" && go mod tidy "${modfile[@]}"; then
  newest=$(required "$cdk" "$newest_dir/go.mod")
  echo "== aws-cdk-go $newest (the newest the Go module proxy serves; needs $(sed -n 's/^go //p' "$newest_dir/go.mod"))"
  if ! { timed "go vet (compile, $newest)" go vet "${modfile[@]}" ./... &&
    timed "go tests (run, $newest)" go test "${modfile[@]}" -count=1 -v ./...; }; then
    failed+=("aws-cdk-go $newest")
  fi
else
  failed+=("aws-cdk-go latest (not resolved)")
fi

cd "$root"
if ! { timed "imagebuilder-alpha for Go (.ci/alpha-bindings.sh go)" bash .ci/alpha-bindings.sh go &&
  cd test/go-quickstart &&
  timed "go vet (compile, quick start)" go vet ./... &&
  timed "go tests (run, quick start)" go test -count=1 -v ./...; }; then
  failed+=("the quick start (test/go-quickstart)")
fi

if [ "${#failed[@]}" != 0 ]; then
  printf -v list '%s, ' "${failed[@]}"
  echo "FAILED: the Go module with ${list%, }" >&2
  exit 1
fi
echo "the Go module passed with aws-cdk-go $minimum and $newest, and README's quick start"
