# Sourced by every script: the JDK this project builds with, and nvcc's usual places.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export PATH="$JAVA_HOME/bin:$PATH:/usr/local/cuda/bin"
