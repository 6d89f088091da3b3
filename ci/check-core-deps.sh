#!/usr/bin/env bash
# embed4j-core must stay free of third-party dependencies: fails when its compile+runtime dependency list holds
# anything but javacpp, or when its module descriptor requires anything but java.* modules and
# org.bytedeco.javacpp. Needs the core jar built (mvn package or install first).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' src/core/pom.xml | head -1)
jar_file=src/core/target/embed4j-core-${version}.jar
[ -f "$jar_file" ] || { echo "check-core-deps: $jar_file is missing: build embed4j-core first" >&2; exit 1; }

list=$(mktemp)
trap 'rm -f "$list"' EXIT
mvn -B -ntp -q -pl src/core org.apache.maven.plugins:maven-dependency-plugin:3.9.0:list \
  -DincludeScope=runtime -DoutputFile="$list" -DexcludeTransitive=false
deps=$(grep -E '^ +[^ ]+:[^ ]+:' "$list" | sed -E 's/^ +//; s/ -- .*//' | sort)
echo "check-core-deps: embed4j-core's compile+runtime dependencies:"
echo "${deps:-  (none)}" | sed 's/^/  /'
bad=$(echo "$deps" | grep -v -E '^org\.bytedeco:javacpp:jar:[^:]+:(compile|runtime)$' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "check-core-deps: FAIL: embed4j-core may depend on javacpp only, found:" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi

# "requires [static|transitive] name [mandated]": the name is the first field that is not a modifier
requires=$(jar --describe-module --file "$jar_file" \
  | awk '$1 == "requires" {for (i = 2; i <= NF; i++) if ($i != "static" && $i != "transitive") {print $i; break}}' \
  | sort)
echo "check-core-deps: module org.embed4j requires: $(echo $requires)"
bad=$(echo "$requires" | grep -v -E '^(java\.[a-z.]+|org\.bytedeco\.javacpp)$' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "check-core-deps: FAIL: module org.embed4j may require java.* modules and org.bytedeco.javacpp only, found:" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi
echo "check-core-deps: OK"
