// The batched per-task kernels compiled for avx512 (512-bit vectors); see batched.h.
#include <cstdlib>
#include "batched_kernels.h"

namespace pt_avx512 {
#define PT_VEC_BYTES 64
#include "batched.h"
#include "fista_fused.h"
} // namespace pt_avx512
