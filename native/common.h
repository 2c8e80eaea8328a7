// Shared pieces of the visionlab addon: handles, per-environment state, error
// translation and conversions used by every binding file.
#pragma once
#include <napi.h>
#include <ATen/ATen.h>
#include <memory>
#include <string>
#include <vector>

namespace vl {

// One JS handle owns one at::Tensor. `reported` is what we told V8 about, so that the
// garbage collector feels native memory; dispose() and the finalizer both give it back.
struct TensorBox {
  at::Tensor t;
  int64_t reported = 0;
};

// One JS handle owns one generator (a seeded stream of its own, apart from the default
// generators that manualSeed drives).
struct GeneratorBox {
  at::Generator g;
};

struct OpRegistry;  // ops.cc

// Everything that would otherwise be a global lives here, one per Node environment, so
// that the main thread and each worker thread keep their own operator cache and counts.
struct AddonData {
  std::shared_ptr<OpRegistry> ops;
  int64_t liveTensors = 0;
  int64_t liveGenerators = 0;
  // The JS class operator errors are built from (handed over by the TS layer at start-up).
  Napi::FunctionReference errorClass;
};
AddonData& addonData(Napi::Env env);

// Handles are externals tagged with their kind, so a Generator passed where a Tensor is
// expected (or a foreign external) is a TypeError rather than a wrong cast.
bool isTensorHandle(const Napi::Value& v);
bool isGeneratorHandle(const Napi::Value& v);

// Wraps a tensor into a new JS handle (undefined for an undefined tensor).
Napi::Value wrapTensor(Napi::Env env, at::Tensor t);
// The tensor behind a JS handle; throws a JS TypeError naming `what` on anything else.
at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& v, const char* what);
// The tensor box behind a handle, or nullptr when v is not a tensor handle.
TensorBox* tensorBoxOf(const Napi::Value& v);
GeneratorBox* generatorBoxOf(const Napi::Value& v);

// "float32" for c10's Float, and so on: the names the TS layer uses.
std::string dtypeName(at::ScalarType st);
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
void initGenerator(Napi::Env env, Napi::Object exports);
void initOps(Napi::Env env, Napi::Object exports);
void initAutograd(Napi::Env env, Napi::Object exports);
void initAmp(Napi::Env env, Napi::Object exports);
void initProfiler(Napi::Env env, Napi::Object exports);
void initBlas(Napi::Env env, Napi::Object exports);

}  // namespace vl
