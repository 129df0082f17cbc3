#!/usr/bin/env bash
# The Image Builder L2 (@aws-cdk/aws-imagebuilder-alpha) for README's Java and Go quick starts. AWS publishes it as
# software.amazon.awscdk:imagebuilder-alpha and github.com/aws/aws-cdk-go/awsimagebuilderalpha/v2, but neither
# Maven Central nor the Go module proxy, as CI reaches them, serves it. So this generates it as its release does:
# jsii-pacmak on the npm package, against an aws-cdk-lib release that the language's registry serves.
#
#   .ci/alpha-bindings.sh go    -> build/alpha/go/awsimagebuilderalpha, a Go module (test/go-quickstart replaces
#                                  the L2's module path with it)
#   .ci/alpha-bindings.sh java  -> build/alpha/java-repository, a Maven repository holding the L2's jar with the
#                                  pom that pacmak writes (test/java-quickstart reads it)
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export PATH="$PWD/node_modules/.bin:$PATH"

ALPHA=@aws-cdk/aws-imagebuilder-alpha@2.270.0-alpha.0
# the newest release that npm and the language's registry both serve here: aws-cdk-go v2.277.0 (Go); Maven
# Central lists aws-cdk-lib up to 2.263.0 in its metadata, but serves 2.270.0 to 2.272.0 by exact version, and
# npm has 2.271.0 (Java). pacmak writes the Go module's requirements from the aws-cdk-lib it finds.
case "${1:-}" in
  go) CDK=aws-cdk-lib@2.277.0 ;;
  java) CDK=aws-cdk-lib@2.271.0 ;;
  *)
    echo "usage: $0 go|java" >&2
    exit 2
    ;;
esac
target=$1

work=build/alpha/codegen-$target
rm -rf "$work"
mkdir -p "$work"
echo '{ "name": "alpha-codegen", "private": true }' >"$work/package.json"
npm install --prefix "$work" --no-save --no-package-lock --no-audit --no-fund --legacy-peer-deps --loglevel=error \
  "$ALPHA" "$CDK" constructs@10.8.1 >/dev/null
package="$work/node_modules/@aws-cdk/aws-imagebuilder-alpha"
echo "generating $ALPHA for $target against $CDK"

out=build/alpha/out-$target
rm -rf "$out"
jsii-pacmak --target "$target" --code-only --outdir "$PWD/$out" "$package"

if [ "$target" = go ]; then
  rm -rf build/alpha/go
  mv "$out/go" build/alpha/go
  cat build/alpha/go/awsimagebuilderalpha/go.mod
else
  project="$out/java"
  version=$(node -p "require('./$package/package.json').version")
  cdk_version=${CDK##*@}
  # the jar is compiled from a copy of the pom that names aws-cdk-lib exactly, since Maven resolves the pom's range
  # [2.270.0,3.0.0) from the metadata, which lists no release it serves in that range; the repository gets the pom
  # as pacmak wrote it, whose range a consumer's dependencyManagement settles, as test/java-quickstart's does
  sed "s|<version>\[2\.270\.0,3\.0\.0)</version>|<version>$cdk_version</version>|" "$project/pom.xml" >"$project/pom-build.xml"
  if cmp -s "$project/pom.xml" "$project/pom-build.xml"; then
    echo "the L2's pom no longer asks for aws-cdk-lib [2.270.0,3.0.0): update $0" >&2
    exit 1
  fi
  mvn -B -ntp -q -Dstyle.color=never -f "$project/pom-build.xml" -Dmaven.repo.local="$PWD/build/m2" \
    -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Denforcer.skip=true package
  rm -rf build/alpha/java-repository
  mvn -B -ntp -q -Dstyle.color=never -Dmaven.repo.local="$PWD/build/m2" install:install-file \
    -Dfile="$project/target/imagebuilder-alpha-$version.jar" -DpomFile="$project/pom.xml" \
    -DlocalRepositoryPath="$PWD/build/alpha/java-repository"
  find build/alpha/java-repository -name '*.jar'
fi
rm -rf "$work" "$out"
