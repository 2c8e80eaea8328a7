// PyTorch's own zip/pickle format (torch.save / torch.load) through libtorch's pickler,
// so .pt/.pth state dicts move between visionlab and Python by parameter name.
#include "common.h"
#include <torch/csrc/jit/serialization/pickle.h>

namespace vl {

static Napi::Value toJs(Napi::Env env, const c10::IValue& iv) {
  if (iv.isTensor()) return wrapTensor(env, iv.toTensor());
  if (iv.isGenericDict()) {
    // [[key, value], ...] keeps the order of the saved dict.
    auto dict = iv.toGenericDict();
    auto arr = Napi::Array::New(env, dict.size());
    uint32_t i = 0;
    for (const auto& kv : dict) {
      auto pair = Napi::Array::New(env, 2);
      pair.Set(0u, kv.key().isString() ? Napi::Value(Napi::String::New(env, kv.key().toStringRef()))
                                       : toJs(env, kv.key()));
      pair.Set(1u, toJs(env, kv.value()));
      arr.Set(i++, pair);
    }
    auto o = Napi::Object::New(env);
    o.Set("dict", arr);
    return o;
  }
  if (iv.isList() || iv.isTuple()) {
    std::vector<c10::IValue> elems;
    if (iv.isList()) for (const auto& e : iv.toListRef()) elems.push_back(e);
    else for (const auto& e : iv.toTupleRef().elements()) elems.push_back(e);
    auto arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) arr.Set(static_cast<uint32_t>(i), toJs(env, elems[i]));
    return arr;
  }
  if (iv.isNone()) return env.Null();
  if (iv.isInt()) return Napi::Number::New(env, static_cast<double>(iv.toInt()));
  if (iv.isDouble()) return Napi::Number::New(env, iv.toDouble());
  if (iv.isBool()) return Napi::Boolean::New(env, iv.toBool());
  if (iv.isString()) return Napi::String::New(env, iv.toStringRef());
  throw Napi::TypeError::New(env, "torch.load: value of type " + iv.tagKind() + " is not supported");
}

static c10::IValue fromJs(Napi::Env env, const Napi::Value& v) {
  if (v.IsExternal()) return unwrapTensor(env, v, "torch.save");
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
    return d;
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  if (v.IsNull() || v.IsUndefined()) return c10::IValue();
  if (v.IsArray()) {
    auto arr = v.As<Napi::Array>();
    std::vector<c10::IValue> elems;
    for (uint32_t i = 0; i < arr.Length(); i++) elems.push_back(fromJs(env, arr.Get(i)));
    return c10::ivalue::Tuple::create(std::move(elems));
  }
  if (v.IsObject() && v.As<Napi::Object>().Has("dict")) {
    auto arr = v.As<Napi::Object>().Get("dict").As<Napi::Array>();
    c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
    for (uint32_t i = 0; i < arr.Length(); i++) {
      auto pair = arr.Get(i).As<Napi::Array>();
      dict.insert(pair.Get(0u).As<Napi::String>().Utf8Value(), fromJs(env, pair.Get(1u)));
    }
    return dict;
  }
  throw Napi::TypeError::New(env, "torch.save: unsupported value");
}

static Napi::Value PickleLoad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto buf = info[0].As<Napi::Buffer<char>>();
  std::vector<char> data(buf.Data(), buf.Data() + buf.Length());
  return toJs(env, torch::jit::pickle_load(data));
  VL_GUARD_END(env, "torch.load")
}

static Napi::Value PickleSave(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto bytes = torch::jit::pickle_save(fromJs(env, info[0]));
  return Napi::Buffer<char>::Copy(env, bytes.data(), bytes.size());
  VL_GUARD_END(env, "torch.save")
}

void initSerialize(Napi::Env env, Napi::Object exports) {
  exports.Set("pickleLoad", Napi::Function::New(env, PickleLoad));
  exports.Set("pickleSave", Napi::Function::New(env, PickleSave));
}

}  // namespace vl
