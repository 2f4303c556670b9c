# The native CPU backend (issue 14). Built by scripts/build-native.mjs (npm's install script),
# which tolerates failure: polytask then runs on WebAssembly and says why in `polytask --version`.
# Three targets because gyp has no per-file flags: the AVX-512 kernels are compiled in their own
# static library with -mavx512f, everything else for AVX2 + FMA (checked at load time in
# src/linalg/kernels/native.ts); the AVX-512 code runs only when cpuid reports it.
{
  "variables": {
    # 1 when the compiler links -lmvec (scripts/has-libmvec.mjs); without it the scalar exp/log1p run.
    "have_libmvec%": "<!(node scripts/has-libmvec.mjs)",
  },
  "target_defaults": {
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=c++17"],
    "cflags_cc": ["-std=c++20", "-O3", "-fPIC", "-mavx2", "-mfma", "-fno-math-errno", "-ffp-contract=fast"],
    "cflags!": ["-O2"],
    "cflags": ["-O3"],
  },
  "targets": [
    {
      "target_name": "polytask_avx512",
      "type": "static_library",
      "sources": ["native/gemm_avx512.cc", "native/batched_avx512.cc", "native/logistic_avx512.cc"],
      "cflags_cc": ["-mavx512f", "-mavx512vl", "-mprefer-vector-width=512"],
      # logistic_avx512.cc calls libmvec's AVX-512 exp / log1p where it links (the final addon links -lmvec).
      "conditions": [["OS=='linux' and have_libmvec==1", { "defines": ["PT_HAVE_LIBMVEC"] }]],
    },
    {
      "target_name": "polytask_native",
      "dependencies": ["polytask_avx512"],
      "sources": ["native/addon.cc", "native/pool.cc", "native/decomp.cc", "native/gemm_avx2.cc", "native/nn.cc", "native/batched_avx2.cc", "native/batched_napi.cc", "native/nnqp.cc", "native/conv.cc", "native/fista_rows.cc", "native/logistic_model.cc", "native/newton_step.cc"],
      # glibc's vector exp / log1p for prox-Newton's logistic pass (native/logistic_model.cc); it checks the
      # glibc version and falls back to scalar libm without PT_HAVE_LIBMVEC (set only when the compiler links it).
      "conditions": [["OS=='linux' and have_libmvec==1", { "defines": ["PT_HAVE_LIBMVEC"], "libraries": ["-lmvec"] }]],
    },
  ],
}
