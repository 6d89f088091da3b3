#!/usr/bin/env bash
# ci/spark-cluster.sh: embed4j-spark on a Spark standalone cluster on this machine, submitted as spark-submit
# submits an application. A Spark home is assembled from the Maven jars of Spark 4.2 (jars/ only: what a Spark
# distribution's launcher needs), then a master and a worker start on 127.0.0.1 (free ports), and SparkSubmit
# runs org.embed4j.spark.ClusterJob in client mode with embed4j's jars passed by --jars, as docs/spark.md says.
# The worker starts the executors in JVMs of their own, so this checks what local mode cannot: the jars and the
# native library reach executor JVMs, a model shipped with --files is found there, the executors' embeddings
# equal the driver's, a missing model fails the job with our message, and data-parallel training runs. Exit
# status: the job's.
# Usage: [KEEP=1] ci/spark-cluster.sh [--no-build]   (--no-build: the modules are already packaged; KEEP=1 keeps the
# work folder with the master, worker, job and executor logs)
set -euo pipefail
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export PATH="$JAVA_HOME/bin:$PATH"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d /tmp/embed4j-spark-cluster.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && log "work folder kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "spark-cluster: $*" >&2; }

cd "$ROOT"
if [ "${1:-}" != --no-build ]; then
  log "packaging embed4j-spark and what it needs"
  mvn -B -q -ntp -pl src/spark -am -Dno-docs -DskipTests package >&2
fi
mvn -B -q -ntp -pl src/spark dependency:build-classpath -Dmdep.includeScope=provided \
  -Dmdep.outputFile="$WORK/classpath.txt" >&2

# the Spark home: Spark and its dependencies, without embed4j (which the application brings with --jars)
mkdir -p "$WORK/spark/jars" "$WORK/spark/conf"
APP_JARS=()
for jar in $(tr ':' '\n' < "$WORK/classpath.txt"); do
  case "$(basename "$jar")" in
    embed4j-*|javacpp-*) APP_JARS+=("$jar") ;;
    *) ln -s "$jar" "$WORK/spark/jars/" ;;
  esac
done
APP_JARS+=("$ROOT/src/spark/target/embed4j-spark-0.1.0.jar" "$ROOT/src/core/target/embed4j-core-0.1.0-tests.jar")
(cd "$ROOT/src/spark/target/test-classes" && jar cf "$WORK/app.jar" .)
export SPARK_HOME="$WORK/spark" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1
# Spark's --add-opens list for JDK 17+ (org.apache.spark.launcher.JavaModuleOptions), for the JVMs started here
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true)
SPARK_CP="$SPARK_HOME/jars/*"
MODEL="$ROOT/src/core/test/resources/org/embed4j/vectors/fasttext.vec"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
MASTER="spark://127.0.0.1:$PORT"

log "master at $MASTER"
java "${OPENS[@]}" -Xmx256m -cp "$SPARK_CP" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" \
  --webui-port "$(free_port)" > "$WORK/master.log" 2>&1 &
PIDS+=($!)
java "${OPENS[@]}" -Xmx256m -cp "$SPARK_CP" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 \
  --memory 2g --webui-port "$(free_port)" --work-dir "$WORK/worker" "$MASTER" > "$WORK/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 120); do
  grep -q "Registering worker" "$WORK/master.log" 2>/dev/null && break
  sleep 1
done
grep -q "Registering worker" "$WORK/master.log" || {
  log "the worker did not register in 120 s"; tail -20 "$WORK/master.log" "$WORK/worker.log" >&2; exit 1; }

log "submitting org.embed4j.spark.ClusterJob"
status=0
java "${OPENS[@]}" --enable-native-access=ALL-UNNAMED -Xmx1g -cp "$SPARK_CP" org.apache.spark.deploy.SparkSubmit \
  --master "$MASTER" --deploy-mode client \
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false \
  --conf spark.executor.memory=768m --conf spark.executor.cores=1 \
  --conf spark.executor.extraJavaOptions=--enable-native-access=ALL-UNNAMED \
  --jars "$(IFS=,; echo "${APP_JARS[*]}")" --files "$MODEL" \
  --class org.embed4j.spark.ClusterJob "$WORK/app.jar" "$WORK/driver" "$MODEL" > "$WORK/job.log" 2>&1 || status=$?
grep '^CLUSTER' "$WORK/job.log" || true
if [ $status != 0 ]; then
  log "the job failed (status $status); its log:"
  grep -v '^CLUSTER' "$WORK/job.log" | tail -40 >&2
  for f in "$WORK"/worker/*/*/stderr; do [ -f "$f" ] && { log "executor log $f:"; tail -20 "$f" >&2; }; done
fi
exit $status
