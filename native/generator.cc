// Generator handles: seeded random streams of their own, passed to operators whose schema
// takes `Generator?`, so transforms and samplers draw reproducibly without touching the
// default generators that model initialisation and dropout use.
#include "common.h"
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <mutex>

namespace vl {

static const napi_type_tag kGeneratorTag = {0x1f7b2c95d3e84a06ULL, 0xc4e9a1270b5d3f88ULL};

static void finalizeGenerator(Napi::Env env, GeneratorBox* box) {
  if (box->g.defined())
    if (auto* d = env.GetInstanceData<AddonData>()) d->liveGenerators--;
  delete box;
}

bool isGeneratorHandle(const Napi::Value& v) {
  return v.IsExternal() && v.As<Napi::External<GeneratorBox>>().CheckTypeTag(&kGeneratorTag);
}

GeneratorBox* generatorBoxOf(const Napi::Value& v) {
  return isGeneratorHandle(v) ? v.As<Napi::External<GeneratorBox>>().Data() : nullptr;
}

static at::Generator& unwrapGenerator(Napi::Env env, const Napi::Value& v, const char* what) {
  auto* box = generatorBoxOf(v);
  if (!box) throw Napi::TypeError::New(env, std::string(what) + ": expected a Generator");
  if (!box->g.defined()) throw Napi::Error::New(env, std::string(what) + ": generator was disposed");
  return box->g;
}

// Seeds are 64-bit: a BigInt keeps every bit, a number must be a safe non-negative integer.
static uint64_t toSeed(Napi::Env env, const Napi::Value& v, const char* what) {
  if (v.IsBigInt()) {
    bool lossless;
    uint64_t s = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(env, std::string(what) + ": seed must fit in 64 unsigned bits");
    return s;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0 && d <= 9007199254740991.0 && d == static_cast<double>(static_cast<uint64_t>(d))))
      throw Napi::RangeError::New(env, std::string(what) + ": seed must be a non-negative safe integer or a BigInt");
    return static_cast<uint64_t>(d);
  }
  throw Napi::TypeError::New(env, std::string(what) + ": seed must be a number or a BigInt");
}

// generatorNew(seed, deviceIndex): deviceIndex < 0 is the CPU, otherwise that CUDA device.
static Napi::Value GeneratorNew(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  uint64_t seed = toSeed(env, info[0], "Generator");
  int index = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : -1;
  at::Generator g;
  if (index < 0) {
    g = at::detail::createCPUGenerator(seed);
  } else {
    // No CUDA headers here: a fresh CUDA generator is a clone of the device's default one.
    auto& hooks = at::detail::getCUDAHooks();
    if (!at::hasCUDA() || index >= hooks.getNumGPUs())
      throw Napi::Error::New(env, "Generator: device cuda:" + std::to_string(index) + " is not available");
    at::Generator def = hooks.getDefaultCUDAGenerator(static_cast<at::DeviceIndex>(index));
    {
      std::lock_guard<std::mutex> lock(def.mutex());
      g = def.clone();
    }
    g.set_current_seed(seed);
  }
  addonData(env).liveGenerators++;
  auto ext = Napi::External<GeneratorBox>::New(env, new GeneratorBox{std::move(g)}, finalizeGenerator);
  ext.TypeTag(&kGeneratorTag);
  return ext;
  VL_GUARD_END(env, "Generator")
}

static Napi::Value GeneratorManualSeed(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& g = unwrapGenerator(env, info[0], "Generator.manualSeed");
  uint64_t seed = toSeed(env, info[1], "Generator.manualSeed");
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
  return env.Undefined();
  VL_GUARD_END(env, "Generator.manualSeed")
}

// Reseeds from a non-deterministic source and returns the seed chosen (as PyTorch's seed()).
static Napi::Value GeneratorSeed(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& g = unwrapGenerator(env, info[0], "Generator.seed");
  std::lock_guard<std::mutex> lock(g.mutex());
  return Napi::BigInt::New(env, g.seed());
  VL_GUARD_END(env, "Generator.seed")
}

static Napi::Value GeneratorInitialSeed(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& g = unwrapGenerator(env, info[0], "Generator.initialSeed");
  return Napi::BigInt::New(env, g.current_seed());
}

static Napi::Value GeneratorGetState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& g = unwrapGenerator(env, info[0], "Generator.getState");
  std::lock_guard<std::mutex> lock(g.mutex());
  return wrapTensor(env, g.get_state());
  VL_GUARD_END(env, "Generator.getState")
}

static Napi::Value GeneratorSetState(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& g = unwrapGenerator(env, info[0], "Generator.setState");
  const auto& state = unwrapTensor(env, info[1], "Generator.setState");
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_state(state);
  return env.Undefined();
  VL_GUARD_END(env, "Generator.setState")
}

static Napi::Value GeneratorDevice(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return Napi::String::New(env, unwrapGenerator(env, info[0], "Generator.device").device().str());
}

static Napi::Value GeneratorDispose(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto* box = generatorBoxOf(info[0]);
  if (!box) throw Napi::TypeError::New(env, "Generator.dispose: expected a Generator");
  if (box->g.defined()) {
    addonData(env).liveGenerators--;
    box->g = at::Generator();
  }
  return env.Undefined();
}

static Napi::Value LiveGenerators(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(addonData(info.Env()).liveGenerators));
}

void initGenerator(Napi::Env env, Napi::Object exports) {
  exports.Set("generatorNew", Napi::Function::New(env, GeneratorNew));
  exports.Set("generatorManualSeed", Napi::Function::New(env, GeneratorManualSeed));
  exports.Set("generatorSeed", Napi::Function::New(env, GeneratorSeed));
  exports.Set("generatorInitialSeed", Napi::Function::New(env, GeneratorInitialSeed));
  exports.Set("generatorGetState", Napi::Function::New(env, GeneratorGetState));
  exports.Set("generatorSetState", Napi::Function::New(env, GeneratorSetState));
  exports.Set("generatorDevice", Napi::Function::New(env, GeneratorDevice));
  exports.Set("generatorDispose", Napi::Function::New(env, GeneratorDispose));
  exports.Set("liveGenerators", Napi::Function::New(env, LiveGenerators));
}

}  // namespace vl
