// The batched per-task kernels (batched.h), one set per instruction set, and their N-API glue
// (batched_napi.cc). Kept apart from kernels.h so that the dense and neural kernels' files are
// untouched by them. Shapes and offsets are validated by the glue before any call.
#pragma once
#include <node_api.h>

#define PT_DECLARE_BATCHED                                                                                     \
  bool dsymvBatched(long count, long d, double alpha, const double* A, const double* x, double beta, double* y); \
  void dgemvBatched(bool trans, long count, const int* offsets, long n, double alpha, const double* A,          \
                    const double* x, double beta, double* y);                                                   \
  void dresidualGradBatched(long count, const int* offsets, long n, const double* A, const double* x,            \
                            const double* y, double* r, double* g);                                     \
  bool dsqGradRange(long k0, long k1, const int* offsets, long n, const double* A, const int* cols,              \
                    const double* W, long ldw, const double* y, const double* c, double* G, double* f);         \
  void dsqGradGathered(long kb, long nb, const int* offsets, long n, const double* A, const double* wb,          \
                       const double* y, const double* c, double* gb, double* f);                                \
  void fistaFusedRange(long k0, long k1, const int* offsets, long n, const double* A, const double* y,           \
                       const double* c, double beta, double step, double L, const double* fac, const double* spec, \
                       const double* w, const double* wp, const double* g, const double* gp, double* wn,         \
                       double* gn, double* f, double* acc, double* scratch);

namespace pt_avx2 { PT_DECLARE_BATCHED }
namespace pt_avx512 { PT_DECLARE_BATCHED }

/** Rows per chunk of prox-Newton's logistic pass (logistic_model.cc; the packed layout's 64). */
#define PT_LOGISTIC_CHUNK 64
namespace pt_avx512 {
/** logistic_avx512.cc: one chunk's z = b + Σ_j w_j x_j, e = e^(−|z|) and l = log1p(e) (64 rows each). */
void logisticZ(long d, double bt, const double* wt, const double* xt, double* zv, double* ev, double* lv);
/** logistic_avx512.cc: a task's gt = Xᵀr and, with model, st = XᵀD1, Ht (upper) = XᵀDX over its nc chunks
 *  (chunk-major transposed X; r, D per row; ax = D∘X in X's layout). */
void logisticTaskReduce(long d, long nc, bool model, const double* rv, const double* dv, const double* X, const double* ax,
                        double* gt, double* st, double* Ht);
}

/** dsymvBatched returns false only when its d-double scratch cannot be allocated, dsqGradRange its 2·32·n doubles. */
/** Whether the AVX-512 kernels are in use (addon.cc: CPU support and not forced to AVX2). */
bool ptUse512();
/** Threads a call from the calling JavaScript thread may use (addon.cc: setThreads / POLYTASK_THREADS, else the pool size). */
int ptCallerThreads();
/** Adds dsymvBatched, dgemvBatched, dresidualGradBatched, dsqGradBatched to the addon's exports. */
void ptRegisterBatched(napi_env env, napi_value exports);
/** Adds fistaRowsStep, fistaRowsCheck, fistaRowsStepTasks, dsqGradTasks, fistaFusedTasks (fista_rows.cc: the many-small-task FISTA's passes) to the exports. */
void ptRegisterFistaRows(napi_env env, napi_value exports);
/** Adds dlogisticModelBatched (logistic_model.cc: prox-Newton's per-point pass for all tasks) to the exports. */
void ptRegisterLogisticModel(napi_env env, napi_value exports);
/** Adds proxNewtonStep (newton_step.cc: prox-Newton's inner solve, intercepts eliminated, BCD over rows) to the exports. */
void ptRegisterNewtonStep(napi_env env, napi_value exports);
