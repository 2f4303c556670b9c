// The neural engine's convolution and max-pool kernels (conv.cc) and their N-API glue.
#pragma once
#include <node_api.h>

/** Adds conv2d, conv2dGrad, maxPool, maxPoolGrad to the addon's exports (see NnKernels in
 * src/linalg/kernels/types.ts for their contracts). */
void ptRegisterConv(napi_env env, napi_value exports);
