#!/usr/bin/env bash
# Installs the build tools a fresh machine may lack (Debian packages). JDK 25 is expected at
# /usr/lib/jvm/temurin-25-jdk-amd64 (see README, Requirements).
set -euo pipefail
missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# ci/native-check.sh: the C/CUDA formatting is that of clang-format 14 (Debian bookworm's clang-format package)
command -v clang-format-14 >/dev/null 2>&1 || command -v clang-format >/dev/null 2>&1 || missing+=(clang-format)
# the CLI's charts draw text off screen: the JDK finds fonts through fontconfig
if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list 2>/dev/null)" ]; then missing+=(fontconfig fonts-dejavu-core); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
if [ ! -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  echo "JDK 25 not found at /usr/lib/jvm/temurin-25-jdk-amd64; install Temurin 25 there" >&2
  exit 1
fi
