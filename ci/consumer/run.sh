#!/usr/bin/env bash
# Builds the consumer check against the embed4j-core installed in the local repository (mvn install first), runs it
# once on the class path and once on the module path, and prints the dependency list a library user gets.
set -euo pipefail
cd "$(dirname "$0")"
MVN=(mvn -B -ntp -q)
"${MVN[@]}" clean package
"${MVN[@]}" dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
"${MVN[@]}" dependency:list -DoutputFile=target/dependencies.txt -DincludeScope=runtime
echo "consumer: runtime dependencies of a project that depends on embed4j-core:"
grep -E '^ +[a-z]' target/dependencies.txt | sed -E 's/ -- module .*//; s/:(compile|runtime)(:.*)?$/:\1/'
deps="$(cat target/classpath.txt)"
jars=$(tr ':' '\n' < target/classpath.txt | grep -c '\.jar$')
bytes=$(tr ':' '\n' < target/classpath.txt | xargs -r stat -c %s | awk '{s += $1} END {print s}')
echo "consumer: ${jars} jars, ${bytes} bytes"

java --enable-native-access=ALL-UNNAMED -cp "target/classes:${deps}" org.embed4j.consumer.Main classpath
java --enable-native-access=org.embed4j -p "target/classes:${deps}" -m org.embed4j.consumer/org.embed4j.consumer.Main modulepath
