#!/usr/bin/env bash
# Prints, colon-separated, the folders that hold the CUDA 13 runtime libraries the JVM GPU suite loads through
# org.bytedeco:cuda (libcudart.so.13, libcublas.so.13, libcublasLt.so.13), for LD_LIBRARY_PATH. Looks in, first match
# of each library wins: $E4J_CUDA_LIBS (folders, colon-separated), the nvidia wheels beside the python3 PyTorch
# (site-packages/nvidia/**, torch/lib), /usr/local/cuda/lib64 and /usr/local/cuda/targets/x86_64-linux/lib.
# The driver's libcuda.so.1 is not searched: the NVIDIA driver installs it where the loader finds it.
# Exit status 1, with the missing libraries on stderr, when one of the three is nowhere.
set -uo pipefail
candidates=()
IFS=: read -r -a extra <<<"${E4J_CUDA_LIBS:-}"
candidates+=("${extra[@]}")
if command -v python3 >/dev/null 2>&1; then
  site=$(python3 -c 'import importlib.util, os
s = importlib.util.find_spec("torch")
print(os.path.dirname(os.path.dirname(s.origin)) if s and s.origin else "")' 2>/dev/null)
  if [ -n "$site" ]; then
    while IFS= read -r dir; do candidates+=("$dir"); done < <(
      find "$site/nvidia" "$site/torch/lib" -maxdepth 4 \( -name 'libcudart.so.13*' -o -name 'libcublas.so.13*' \
        -o -name 'libcublasLt.so.13*' \) -printf '%h\n' 2>/dev/null | sort -u)
  fi
fi
candidates+=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib)

found=() missing=()
for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13; do
  hit=""
  for dir in "${candidates[@]}"; do
    if [ -n "$dir" ] && [ -e "$dir/$lib" ]; then hit="$dir"; break; fi
  done
  if [ -z "$hit" ]; then missing+=("$lib"); continue; fi
  case " ${found[*]} " in *" $hit "*) ;; *) found+=("$hit") ;; esac
done
(IFS=:; echo "${found[*]}")
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci/cuda-libs.sh: not found: ${missing[*]} (looked in: ${candidates[*]})" >&2
  exit 1
fi
