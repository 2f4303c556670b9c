#!/usr/bin/env python3
"""The peer measurement for bench/linear.bench.ts (issue 17): scikit-learn's MultiTaskLasso on the
shared-design problem the bench writes (X: n x d, Y: n x T, raw float64, row-major), objective
(1/2n)||Y - XW - 1b'||_F^2 + alpha ||W||_{2,1} with intercepts. Prints one JSON object:
{"version", "seconds" (process CPU time, median of REPS fits after a warm-up), "objective", "n_iter"}.

Usage: sklearn_mtl.py X.bin Y.bin n d T alpha tol REPS
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import MultiTaskLasso

xp, yp = sys.argv[1], sys.argv[2]
n, d, T = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
alpha, tol, reps = float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
X = np.fromfile(xp, dtype=np.float64).reshape(n, d)
Y = np.fromfile(yp, dtype=np.float64).reshape(n, T)


def fit():
    m = MultiTaskLasso(alpha=alpha, fit_intercept=True, tol=tol, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m.fit(X, Y)
    return m


fit()
times = []
for _ in range(reps):
    t0 = time.process_time()
    m = fit()
    times.append(time.process_time() - t0)
W = m.coef_.T  # d x T
R = Y - X @ W - m.intercept_[None, :]
obj = 0.5 / n * float(np.sum(R * R)) + alpha * float(np.sum(np.sqrt(np.sum(W * W, axis=1))))
print(json.dumps({"version": sklearn.__version__, "seconds": float(np.median(times)), "objective": obj, "n_iter": int(np.max(m.n_iter_))}))
