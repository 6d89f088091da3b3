# Compiler flags shared by every native target of embed4j, and the two build options that change them.
#
# Baseline x86-64 only (no host-specific -march): the binary must run on any x86-64 CPU; the files of
# src/avx2 add their own flags. -ffp-contract=off: the compiler never fuses a*b+c on its own (gnu11 would),
# so the scalar reference and the AVX2 kernels round identically wherever the source does not call an FMA
# explicitly.
#
# E4J_WERROR (ON): warnings are errors on our C sources, CUDA's host code (-Xcompiler) and nvcc's own
#   diagnostics. OFF only to try a compiler newer than CI's.
# E4J_SANITIZE (OFF): the C library, tests and benchmarks built with -fsanitize=address,undefined; UBSan does
#   not recover, so any finding fails the test that triggers it. For a build directory of its own
#   (ci/native-check.sh): the libraries built this way need the sanitizer runtimes and must never be packaged.
option(E4J_WERROR "treat compiler warnings as errors" ON)
option(E4J_SANITIZE "build the C library, tests and benchmarks with -fsanitize=address,undefined" OFF)

set(E4J_C_WARNINGS -Wall -Wextra)
if(E4J_WERROR)
  list(APPEND E4J_C_WARNINGS -Werror)
endif()

# ASan + UBSan on one target (compile and link), when E4J_SANITIZE is ON.
function(e4j_sanitize target)
  if(E4J_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer -g)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# The library.
function(e4j_baseline_flags target)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                             C_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -O3 ${E4J_C_WARNINGS} -fno-strict-aliasing -fno-math-errno
                                           -ffp-contract=off)
  target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,-z,noexecstack)
  e4j_sanitize(${target})
endfunction()

# Test and benchmark programs linked against the library.
function(e4j_program_flags target)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON)
  target_compile_options(${target} PRIVATE -O2 ${E4J_C_WARNINGS})
  e4j_sanitize(${target})
endfunction()
