// Module entry: global engine settings (seed, threads, devices) and the bindings of the
// other files.
#include "common.h"
#include "distributed.h"
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/csrc/api/include/torch/version.h>

namespace vl {

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  uint64_t seed = static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::hasCUDA()) {
    for (int i = 0; i < static_cast<int>(at::detail::getCUDAHooks().getNumGPUs()); i++) {
      auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(i);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
  }
  return env.Undefined();
  VL_GUARD_END(env, "manualSeed")
}

// The CPU generator's full state, so that a resumed run continues the same random stream.
static Napi::Value GetRngState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return wrapTensor(env, gen.get_state());
  VL_GUARD_END(env, "getRngState")
}

static Napi::Value SetRngState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(unwrapTensor(env, info[0], "setRngState"));
  return env.Undefined();
  VL_GUARD_END(env, "setRngState")
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return env.Undefined();
  VL_GUARD_END(env, "setNumThreads")
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

// Deterministic algorithms: kernels without a deterministic implementation raise instead
// of running (as torch.use_deterministic_algorithms), and cuDNN picks deterministic ones.
static Napi::Value SetDeterministic(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  bool on = info[0].As<Napi::Boolean>().Value();
  at::globalContext().setDeterministicAlgorithms(on, /*warn_only=*/false);
  at::globalContext().setDeterministicCuDNN(on);
  at::globalContext().setBenchmarkCuDNN(false);
  return env.Undefined();
  VL_GUARD_END(env, "setDeterministic")
}

static Napi::Value GetDeterministic(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().deterministicAlgorithms());
}

static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}

static Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), TORCH_VERSION);
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Per-environment state first: every binding below reads it.
  env.SetInstanceData<AddonData>(new AddonData());
  initTensorHandle(env, exports);
  initGenerator(env, exports);
  initOps(env, exports);
  initAutograd(env, exports);
  initAmp(env, exports);
  initProfiler(env, exports);
  initBlas(env, exports);
  initProcessGroup(env, exports);
  initDdpReducer(env, exports);
  initSyncCollectives(env, exports);
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("getRngState", Napi::Function::New(env, GetRngState));
  exports.Set("setRngState", Napi::Function::New(env, SetRngState));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("setDeterministic", Napi::Function::New(env, SetDeterministic));
  exports.Set("getDeterministic", Napi::Function::New(env, GetDeterministic));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("version", Napi::Function::New(env, Version));
  return exports;
}

}  // namespace vl

static Napi::Object InitVisionlab(Napi::Env env, Napi::Object exports) { return vl::Init(env, exports); }

NODE_API_MODULE(visionlab, InitVisionlab)
