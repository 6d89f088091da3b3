#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for ci/gpu-check.sh on a GPU machine that has no JDK, Maven or network:
#   .device/lib   libembed4j.so + libembed4j_cuda.so built here (gpu-check.sh rebuilds there if they do not load)
#   .device/jre   a jlink'ed Java runtime (java.base, java.logging, jdk.unsupported, java.management, jdk.management,
#                 java.net.http, jdk.zipfs: about 45 MB)
#   .device/java  main and test classes (folders, as under Maven) + the test dependencies + GpuTestMain
#                 (native/tests/cuda/GpuTestMain.java)
# Run after: source ci/env.sh; mvn -B -q -ntp -o -Pcuda -DbuildDir=target-cuda -DskipTests package
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
BUILD="${1:-target-cuda}"
rm -rf .device/lib .device/jre .device/java
mkdir -p .device/lib .device/java
cp "$BUILD"/classes/org/embed4j/native/linux-x86_64/libembed4j*.so .device/lib/
jlink --add-modules java.base,java.logging,jdk.unsupported,java.management,jdk.management,java.net.http,jdk.zipfs \
      --output .device/jre --strip-debug --no-header-files --no-man-pages --compress=zip-9
cp -r "$BUILD"/classes .device/java/classes
cp -r "$BUILD"/test-classes .device/java/test-classes
mvn -B -q -ntp -o -DbuildDir="$BUILD" dependency:build-classpath -DincludeScope=test -Dmdep.outputFile=/tmp/e4j-gpu-cp.txt >/dev/null
tr ':' '\n' </tmp/e4j-gpu-cp.txt | grep -E 'junit|opentest4j|apiguardian|picocli|javacpp|gson|progressbar|jline' \
  | xargs -I{} cp {} .device/java/
LAUNCHER=$(find ~/.m2/repository/org/junit/platform/junit-platform-launcher -name "junit-platform-launcher-$(ls .device/java | sed -n 's/junit-platform-engine-\(.*\)\.jar/\1/p').jar" | head -1)
cp "$LAUNCHER" .device/java/
mkdir -p /tmp/e4j-gpu-runner
javac -d /tmp/e4j-gpu-runner -cp "$(ls .device/java/*.jar | tr '\n' ':')" native/tests/cuda/GpuTestMain.java
(cd /tmp/e4j-gpu-runner && jar cf "$OLDPWD/.device/java/gputestmain.jar" .)
du -sh .device
