#!/usr/bin/env python3
"""The peer measurement for bench/native.bench.ts: OpenBLAS (numpy) and LAPACK (numpy/scipy) on the
same shapes, printed as one JSON object. Run by the bench, once per round, with OPENBLAS_NUM_THREADS
set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed from this command's environment only (the
machine sets them for old OpenBLAS builds; they slow a current one; see /work/.library/env/README.md).

Usage: openblas.py THREADS REPS [gemm-only]   -> {"core": ..., "gemm f64 1024": seconds, ...}
Times: process CPU time (time.process_time) when THREADS = 1 (the machine is shared, so wall time
measures the scheduler), wall time otherwise; medians of REPS runs after one warm-up.
"""
import ctypes
import json
import sys
import time

import numpy as np

threads = int(sys.argv[1])
reps = int(sys.argv[2])
gemm_only = len(sys.argv) > 3 and sys.argv[3] == 'gemm-only'
clock = time.process_time if threads == 1 else time.perf_counter


def median(fn):
    fn()
    ts = []
    for _ in range(reps):
        t0 = clock()
        fn()
        ts.append(clock() - t0)
    ts.sort()
    return ts[len(ts) // 2]


def openblas_core():
    """The OpenBLAS kernel actually in use (its openblas_get_corename), from the loaded library."""
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'openblas' in line.lower() and '.so' in line}
        # numpy's own OpenBLAS first (scipy may load a second copy).
        for path in sorted(libs, key=lambda p: ('numpy' not in p, p)):
            lib = ctypes.CDLL(path)
            for sym in ('openblas_get_corename', 'openblas_get_corename64_', 'scipy_openblas_get_corename'):
                if hasattr(lib, sym):
                    fn = getattr(lib, sym)
                    fn.restype = ctypes.c_char_p
                    return fn().decode() + ' (' + path + ')'
    except Exception as e:  # the figure is still useful without the core name
        return 'unknown: ' + str(e)
    return 'unknown'


rng = np.random.default_rng(2024)
out = {}
for dt, name in ((np.float64, 'f64'), (np.float32, 'f32')):
    a = rng.uniform(-1, 1, (1024, 1024)).astype(dt)
    b = rng.uniform(-1, 1, (1024, 1024)).astype(dt)
    out[f'gemm {name} 1024'] = median(lambda: a @ b)
    if gemm_only:
        continue
    x = rng.uniform(-1, 1, (100000, 64)).astype(dt)
    out[f'gram {name} 100000x64'] = median(lambda: x.T @ x)  # numpy calls syrk for x.T @ x
    big = rng.uniform(-1, 1, (4096, 4096)).astype(dt)
    v = rng.uniform(-1, 1, 4096).astype(dt)
    out[f'gemv {name} 4096'] = median(lambda: big @ v)
if gemm_only:
    out['core'] = openblas_core()
    print(json.dumps(out))
    sys.exit(0)
s = rng.uniform(-1, 1, (200, 200))
s = s + s.T
out['eigh 200 numpy (syevd)'] = median(lambda: np.linalg.eigh(s))
tall = rng.uniform(-1, 1, (1000, 28))
out['svd 1000x28 numpy (gesdd)'] = median(lambda: np.linalg.svd(tall, full_matrices=False))
spd = s @ s.T + 200 * np.eye(200)
out['cholesky 200 numpy (potrf)'] = median(lambda: np.linalg.cholesky(spd))
try:
    import scipy.linalg
    out['eigh 200 scipy (syevr)'] = median(lambda: scipy.linalg.eigh(s))
except ImportError:
    pass
out['core'] = openblas_core()
try:
    blas = np.__config__.CONFIG['Build Dependencies']['blas']
    out['numpy'] = f"numpy {np.__version__}, {blas.get('name')} {blas.get('version')}"
except Exception:
    out['numpy'] = f'numpy {np.__version__}'
print(json.dumps(out))
