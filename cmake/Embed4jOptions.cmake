# Compiler flags shared by every native target of embed4j.
# Baseline x86-64 only (no host-specific -march): the binary must run on any x86-64 CPU;
# AVX2 files add their own flags per file.
# -ffp-contract=off: the compiler never fuses a*b+c on its own (gnu11 would), so the scalar reference
# and the AVX2 kernels round identically wherever the source does not call an FMA explicitly.
function(e4j_baseline_flags target)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                             C_VISIBILITY_PRESET hidden POSITION_INDEPENDENT_CODE ON)
  target_compile_options(${target} PRIVATE -O3 -Wall -Wextra -Wno-unused-parameter -fno-strict-aliasing
                                           -fno-math-errno -ffp-contract=off)
  target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,-z,noexecstack)
endfunction()
