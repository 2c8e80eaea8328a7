// Mixed precision and inference mode: the thread-local switches of libtorch's autocast and
// c10::InferenceMode. Every op call goes through the dispatcher, so once autocast's state is
// set here its dispatch key casts conv/matmul inputs like torch.autocast does in Python.
#include "common.h"
#include <ATen/autocast_mode.h>
#include <c10/core/InferenceMode.h>
#include <ATen/detail/CUDAHooksInterface.h>

namespace vl {

static bool isCuda(const Napi::CallbackInfo& info, const char* what) {
  std::string device = info[0].As<Napi::String>().Utf8Value();
  if (device == "cuda") return true;
  if (device == "cpu") return false;
  throw Napi::TypeError::New(info.Env(), std::string(what) + ": device type must be 'cpu' or 'cuda', got '" + device + "'");
}

static Napi::Value AutocastIsEnabled(const Napi::CallbackInfo& info) {
  bool cuda = isCuda(info, "autocastIsEnabled");
  return Napi::Boolean::New(info.Env(), cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled());
}

static Napi::Value AutocastSetEnabled(const Napi::CallbackInfo& info) {
  bool cuda = isCuda(info, "autocastSetEnabled");
  bool on = info[1].As<Napi::Boolean>().Value();
  if (cuda) at::autocast::set_enabled(on);
  else at::autocast::set_cpu_enabled(on);
  return info.Env().Undefined();
}

static Napi::Value AutocastGetDtype(const Napi::CallbackInfo& info) {
  bool cuda = isCuda(info, "autocastGetDtype");
  auto st = cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
  return Napi::Number::New(info.Env(), static_cast<int>(st));
}

static Napi::Value AutocastSetDtype(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  bool cuda = isCuda(info, "autocastSetDtype");
  auto st = static_cast<at::ScalarType>(info[1].As<Napi::Number>().Int32Value());
  if (cuda) at::autocast::set_autocast_gpu_dtype(st);
  else at::autocast::set_autocast_cpu_dtype(st);
  return env.Undefined();
  VL_GUARD_END(env, "autocastSetDtype")
}

// Autocast caches the low-precision copies of weights while a region is open; the cache is
// cleared when the outermost region closes (nesting back at 0), as torch.autocast does.
static Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::autocast::increment_nesting());
}

static Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  int depth = at::autocast::decrement_nesting();
  if (depth == 0) at::autocast::clear_cache();
  return Napi::Number::New(info.Env(), depth);
}

// InferenceMode is an RAII guard; JS opens and closes it around synchronous work, so the
// guards live on a per-thread stack and are closed in the order they were opened.
static thread_local std::vector<std::unique_ptr<c10::InferenceMode>> inferenceGuards;

static Napi::Value InferenceModeEnter(const Napi::CallbackInfo& info) {
  inferenceGuards.push_back(std::make_unique<c10::InferenceMode>(true));
  return Napi::Number::New(info.Env(), static_cast<double>(inferenceGuards.size()));
}

static Napi::Value InferenceModeExit(const Napi::CallbackInfo& info) {
  if (inferenceGuards.empty()) {
    throw Napi::Error::New(info.Env(), "inferenceModeExit: no inference-mode region is open");
  }
  inferenceGuards.pop_back();
  return Napi::Number::New(info.Env(), static_cast<double>(inferenceGuards.size()));
}

static Napi::Value IsInferenceMode(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

static Napi::Value IsInferenceTensor(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "isInference").is_inference());
}

// Whether the current CUDA device has bf16 tensor cores: libtorch answers this through its
// cuDNN v8 check, which is true from compute capability 8.0 (Ampere) on.
static Napi::Value CudaHasNativeBf16(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  return Napi::Boolean::New(env, at::hasCUDA() && at::detail::getCUDAHooks().supportsBFloat16ConvolutionWithCuDNNv8());
  VL_GUARD_END(env, "cudaHasNativeBf16")
}

void initAmp(Napi::Env env, Napi::Object exports) {
  exports.Set("cudaHasNativeBf16", Napi::Function::New(env, CudaHasNativeBf16));
  exports.Set("autocastIsEnabled", Napi::Function::New(env, AutocastIsEnabled));
  exports.Set("autocastSetEnabled", Napi::Function::New(env, AutocastSetEnabled));
  exports.Set("autocastGetDtype", Napi::Function::New(env, AutocastGetDtype));
  exports.Set("autocastSetDtype", Napi::Function::New(env, AutocastSetDtype));
  exports.Set("autocastEnter", Napi::Function::New(env, AutocastEnter));
  exports.Set("autocastExit", Napi::Function::New(env, AutocastExit));
  exports.Set("inferenceModeEnter", Napi::Function::New(env, InferenceModeEnter));
  exports.Set("inferenceModeExit", Napi::Function::New(env, InferenceModeExit));
  exports.Set("isInferenceMode", Napi::Function::New(env, IsInferenceMode));
  exports.Set("isInferenceTensor", Napi::Function::New(env, IsInferenceTensor));
}

}  // namespace vl
