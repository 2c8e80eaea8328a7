// Shared pieces of the visionlab addon: the tensor handle, error translation and
// conversions used by every binding file.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <string>
#include <vector>

namespace vl {

// One JS handle owns one at::Tensor. `reported` is what we told V8 about, so that the
// garbage collector feels native memory; dispose() and the finalizer both give it back.
struct TensorBox {
  at::Tensor t;
  int64_t reported = 0;
};

// Wraps a tensor into a new JS handle (undefined for an undefined tensor).
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// The tensor behind a JS handle; throws a JS TypeError naming `what` on anything else.
at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& v, const char* what);
bool isTensorHandle(const Napi::Value& v);

// "float32[2, 3]" (plus the device when it is not the CPU).
std::string describeTensor(const at::Tensor& t);
std::string cleanTorchMessage(const std::string& msg);

// Every binding body runs inside this guard: c10 and std exceptions become JS errors, so
// bad input never aborts the process.
#define VL_GUARD_BEGIN try {
#define VL_GUARD_END(env, context)                                                   \
  }                                                                                  \
  catch (const Napi::Error&) { throw; }                                              \
  catch (const c10::Error& e) {                                                      \
    throw Napi::Error::New(env, std::string(context) + ": " +                        \
                                    vl::cleanTorchMessage(e.what_without_backtrace())); \
  }                                                                                  \
  catch (const std::exception& e) {                                                  \
    throw Napi::Error::New(env, std::string(context) + ": " + e.what());             \
  }

void initTensorHandle(Napi::Env env, Napi::Object exports);
void initOps(Napi::Env env, Napi::Object exports);
void initAutograd(Napi::Env env, Napi::Object exports);
void initSerialize(Napi::Env env, Napi::Object exports);

}  // namespace vl
