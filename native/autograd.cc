// Autograd bindings: requires_grad, .grad, backward, grad(outputs, inputs), grad mode.
#include "common.h"
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace vl {

static std::vector<at::Tensor> tensorArray(Napi::Env env, const Napi::Value& v, const char* what) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  auto arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    out.push_back(e.IsUndefined() || e.IsNull() ? at::Tensor() : unwrapTensor(env, e, what));
  }
  return out;
}

static c10::optional<bool> optBool(const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  return c10::nullopt;
}

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  unwrapTensor(env, info[0], "requiresGrad").set_requires_grad(info[1].As<Napi::Boolean>().Value());
  return env.Undefined();
  VL_GUARD_END(env, "requiresGrad")
}

static Napi::Value RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "requiresGrad").requires_grad());
}

static Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "isLeaf").is_leaf());
}

static Napi::Value GradFn(const Napi::CallbackInfo& info) {
  auto& t = unwrapTensor(info.Env(), info[0], "gradFn");
  auto fn = t.grad_fn();
  if (!fn) return info.Env().Undefined();
  return Napi::String::New(info.Env(), fn->name());
}

static Napi::Value Grad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  return wrapTensor(env, unwrapTensor(env, info[0], "grad").grad());
}

static Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& t = unwrapTensor(env, info[0], "grad");
  t.mutable_grad() = isTensorHandle(info[1]) ? unwrapTensor(env, info[1], "grad") : at::Tensor();
  return env.Undefined();
  VL_GUARD_END(env, "grad")
}

static Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  unwrapTensor(env, info[0], "retainGrad").retain_grad();
  return env.Undefined();
  VL_GUARD_END(env, "retainGrad")
}

// backward(tensor, gradOutput?, retainGraph?, createGraph?)
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& t = unwrapTensor(env, info[0], "backward");
  std::vector<at::Tensor> grads;
  if (isTensorHandle(info[1])) grads.push_back(unwrapTensor(env, info[1], "backward(gradient)"));
  bool create = info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  torch::autograd::backward({t}, grads, optBool(info[2]), create);
  return env.Undefined();
  VL_GUARD_END(env, "backward(" + describeTensor(unwrapTensor(env, info[0], "backward")) + ")")
}

// grad(outputs[], inputs[], gradOutputs[]?, retainGraph?, createGraph?, allowUnused?) -> Tensor[]
static Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto outs = tensorArray(env, info[0], "grad(outputs)");
  auto ins = tensorArray(env, info[1], "grad(inputs)");
  auto gouts = tensorArray(env, info[2], "grad(gradOutputs)");
  bool create = info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value();
  bool allowUnused = info[5].IsBoolean() && info[5].As<Napi::Boolean>().Value();
  auto res = torch::autograd::grad(outs, ins, gouts, optBool(info[3]), create, allowUnused);
  auto arr = Napi::Array::New(env, res.size());
  for (size_t i = 0; i < res.size(); i++) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, res[i]));
  return arr;
  VL_GUARD_END(env, "grad")
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  c10::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}

void initAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("setRequiresGrad", Napi::Function::New(env, SetRequiresGrad));
  exports.Set("requiresGrad", Napi::Function::New(env, RequiresGrad));
  exports.Set("isLeaf", Napi::Function::New(env, IsLeaf));
  exports.Set("gradFn", Napi::Function::New(env, GradFn));
  exports.Set("grad", Napi::Function::New(env, Grad));
  exports.Set("setGrad", Napi::Function::New(env, SetGrad));
  exports.Set("retainGrad", Napi::Function::New(env, RetainGrad));
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("autogradGrad", Napi::Function::New(env, AutogradGrad));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
}

}  // namespace vl
