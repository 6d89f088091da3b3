#!/usr/bin/env bash
# bench/native/torch_anchor/run.sh [libembed4j.so] [threads]: libembed4j vs libtorch 2.10 on the same
# memory in one JVM (see TorchAnchor.java): gather, bag sum/mean, backward.
# bench/native/torch_anchor/run.sh bag [threads] [label=libembed4j.so ...] [filter]: embedding_bag over
# D = 32..256, bags of 1, 20, 100, sum/mean/max, one or more builds against libtorch (see BagSweep.java);
# default build: label "ours" = target/native/libembed4j.so.
# Both need the bench profile's jars in ~/.m2 (mvn -Pbench dependency:resolve) and a built library.
set -euo pipefail
cd "$(dirname "$0")"
source ../../../ci/env.sh
R="${M2_REPO:-$HOME/.m2/repository}/org/bytedeco"
CP="$R/javacpp/1.5.13/javacpp-1.5.13.jar:$R/pytorch/2.10.0-1.5.13/pytorch-2.10.0-1.5.13.jar"
CP="$CP:$R/pytorch/2.10.0-1.5.13/pytorch-2.10.0-1.5.13-linux-x86_64.jar:$R/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13.jar"
CP="$CP:$R/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13-linux-x86_64.jar"
JAVA=(java --enable-native-access=ALL-UNNAMED -Xmx4g ${BAG_SWEEP_OPTS:-} -cp "$CP")
if [ "${1:-}" = bag ]; then
  shift
  threads="${1:-1}"
  [ $# -gt 0 ] && shift
  args=("$@")
  if [ ${#args[@]} -eq 0 ] || [[ "${args[0]}" != *=* ]]; then
    args=("ours=$(realpath ../../../target/native/libembed4j.so)" "${args[@]}")
  fi
  exec "${JAVA[@]}" BagSweep.java "$threads" "${args[@]}"
fi
LIB="$(realpath "${1:-../../../target/native/libembed4j.so}")"
exec "${JAVA[@]}" TorchAnchor.java "$LIB" "${2:-1}"
