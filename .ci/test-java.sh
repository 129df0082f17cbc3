#!/usr/bin/env bash
# Java users: builds the Maven artifact with projen's package:java (jsii-pacmak, as the release does), then
# compiles and runs the JUnit 5 tests of test/java against it. The test project resolves the artifact from
# dist/java as it would from Maven Central, and aws-cdk-lib, constructs and the jsii runtime from Maven
# Central as the artifact's pom declares them. Then README's Java quick start (test/java-quickstart), with the
# Image Builder L2 that .ci/alpha-bindings.sh generates. Both run; the script fails if either fails. Every
# download goes to build/m2, which a fresh clone lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

# shellcheck source=.ci/timed.sh
source .ci/timed.sh

install_java_tools() {
  if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
    apt-get update -qq && apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
  fi
  mvn -B -Dstyle.color=never --version
}
timed "java tools (JDK 17, Maven)" install_java_tools

rm -rf dist/java
# package:java keeps pacmak's Maven downloads in build/m2 (.projenrc.ts)
timed "java package (npx projen package:java)" npx projen package:java
jar=$(find dist/java -name 'cdk-imagebuilder-instance-profile-*.jar' ! -name '*-sources.jar' ! -name '*-javadoc.jar')
echo "$jar: $(stat -c %s "$jar") bytes"
# pacmak resolves the version ranges of the pom to the newest versions it finds (jsii-pacmak 1.140)
grep -B 1 -A 1 '<artifactId>\(aws-cdk-lib\|constructs\|jsii-runtime\)</artifactId>' "${jar%.jar}.pom"

# pacmak's `mvn deploy` also installed the artifact in build/m2: remove it, so that the test takes it from dist/java
rm -rf build/m2/io/github/cdk-imagebuilder-instance-profile
version=$(node -p "require('./package.json').version")
failed=()
timed "java tests (resolve, compile, run)" \
  mvn -B -ntp -Dstyle.color=never -f test/java/pom.xml -Dmaven.repo.local="$PWD/build/m2" \
  -Dlibrary.version="$version" test || failed+=("test/java")

if ! { timed "imagebuilder-alpha for Java (.ci/alpha-bindings.sh java)" bash .ci/alpha-bindings.sh java &&
  timed "java quick start (resolve, compile, run)" \
    mvn -B -ntp -Dstyle.color=never -f test/java-quickstart/pom.xml -Dmaven.repo.local="$PWD/build/m2" \
    -Dlibrary.version="$version" test; }; then
  failed+=("test/java-quickstart")
fi

if [ "${#failed[@]}" != 0 ]; then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
