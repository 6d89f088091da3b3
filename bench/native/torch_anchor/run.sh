#!/usr/bin/env bash
# bench/native/torch_anchor/run.sh [libembed4j.so] [threads]: libembed4j vs libtorch 2.10 on the same
# memory in one JVM (see TorchAnchor.java). Needs the bench profile's jars in ~/.m2
# (mvn -Pbench dependency:resolve) and a built library (default: target/native/libembed4j.so).
set -euo pipefail
cd "$(dirname "$0")"
source ../../../ci/env.sh
LIB="$(realpath "${1:-../../../target/native/libembed4j.so}")"
R="${M2_REPO:-$HOME/.m2/repository}/org/bytedeco"
CP="$R/javacpp/1.5.13/javacpp-1.5.13.jar:$R/pytorch/2.10.0-1.5.13/pytorch-2.10.0-1.5.13.jar"
CP="$CP:$R/pytorch/2.10.0-1.5.13/pytorch-2.10.0-1.5.13-linux-x86_64.jar:$R/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13.jar"
CP="$CP:$R/openblas/0.3.31-1.5.13/openblas-0.3.31-1.5.13-linux-x86_64.jar"
exec java --enable-native-access=ALL-UNNAMED -Xmx4g -cp "$CP" TorchAnchor.java "$LIB" "${2:-1}"
