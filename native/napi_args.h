// Reading a call's arguments in the N-API glue (addon.cc, batched_napi.cc, conv.cc, fista_rows.cc,
// logistic_model.cc, nnqp.cc): numbers, non-negative integers, booleans and typed arrays of a given
// type and minimum length. A failed read
// throws a POLYTASK_NATIVE error in JavaScript and clears Args::ok, so a kernel runs only when every
// argument was good — shapes are validated in src/linalg/kernels/native.ts and checked here again,
// cheaply, so that a bad call can never read or write outside an array.
#pragma once
#include <node_api.h>

namespace ptnapi {

struct Args {
  napi_env env;
  napi_value v[20];
  size_t n = 20;
  bool ok = true;
};

inline bool fail(napi_env env, const char* msg) {
  napi_throw_error(env, "POLYTASK_NATIVE", msg);
  return false;
}

inline bool getArgs(napi_env env, napi_callback_info info, Args& a, size_t want) {
  a.env = env;
  if (napi_get_cb_info(env, info, &a.n, a.v, nullptr, nullptr) != napi_ok) return fail(env, "native: bad call");
  if (a.n < want) return fail(env, "native: too few arguments");
  return true;
}

inline double num(Args& a, int i) {
  double x = 0;
  if (a.ok && napi_get_value_double(a.env, a.v[i], &x) != napi_ok) a.ok = fail(a.env, "native: expected a number");
  return x;
}

/** A non-negative integer below 2⁵³ (every size and count of a kernel call). */
inline long integer(Args& a, int i) {
  const double x = num(a, i);
  if (a.ok && (x < 0 || x > 9.0e15 || x != (double)(long)x)) a.ok = fail(a.env, "native: expected a non-negative integer");
  return (long)x;
}

inline bool flag(Args& a, int i) {
  bool b = false;
  if (a.ok && napi_get_value_bool(a.env, a.v[i], &b) != napi_ok) a.ok = fail(a.env, "native: expected a boolean");
  return b;
}

inline const char* expectedArray(napi_typedarray_type want) {
  switch (want) {
    case napi_float64_array: return "native: expected a Float64Array";
    case napi_float32_array: return "native: expected a Float32Array";
    case napi_int32_array: return "native: expected an Int32Array";
    case napi_uint8_array: return "native: expected a Uint8Array";
    default: return "native: wrong typed array type";
  }
}

/** The data of a typed array of type `want` with at least `need` elements (its length in *len when asked). */
inline void* typedArray(Args& a, int i, napi_typedarray_type want, long need, long* len = nullptr) {
  napi_typedarray_type t;
  size_t n = 0;
  void* data = nullptr;
  if (!a.ok) return nullptr;
  if (napi_get_typedarray_info(a.env, a.v[i], &t, &n, &data, nullptr, nullptr) != napi_ok || t != want) {
    a.ok = fail(a.env, expectedArray(want));
    return nullptr;
  }
  if ((long)n < need) {
    a.ok = fail(a.env, "native: array shorter than its shape");
    return nullptr;
  }
  if (len) *len = (long)n;
  return data;
}

/** Row offsets of stacked blocks: count + 1 entries, non-decreasing, from ≥ 0; returns the last (the rows
 * used), or −1 after throwing. */
inline long checkOffsets(Args& a, const int* off, long count) {
  if (!a.ok) return -1;
  if (off[0] < 0) return a.ok = fail(a.env, "native batched: offsets[0] < 0"), -1;
  for (long t = 0; t < count; t++)
    if (off[t + 1] < off[t]) return a.ok = fail(a.env, "native batched: offsets must be non-decreasing"), -1;
  return off[count];
}

/** x as a JavaScript number (a call's result). */
inline napi_value number(napi_env env, double x) {
  napi_value r;
  napi_create_double(env, x, &r);
  return r;
}

inline napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

} // namespace ptnapi
