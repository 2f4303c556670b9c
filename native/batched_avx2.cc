// The batched per-task kernels compiled for avx2 (256-bit vectors); see batched.h.
#include <cstdlib>
#include "batched_kernels.h"

namespace pt_avx2 {
#define PT_VEC_BYTES 32
#include "batched.h"
#include "fista_fused.h"
} // namespace pt_avx2
