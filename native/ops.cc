// The one generic entry point: call any registered operator by schema name. JS values
// are converted by the schema's argument types; handles are cached per operator.
#include "common.h"
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/function_schema.h>
#include <ATen/core/jit_type.h>
#include <chrono>
#include <sstream>
#include <unordered_map>

namespace vl {

enum class Kind : uint8_t {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList,
  Scalar, Str, Device, Generator, Unsupported
};

static const char* kindName(Kind k) {
  switch (k) {
    case Kind::Tensor: return "Tensor";
    case Kind::TensorList: return "Tensor[]";
    case Kind::OptTensorList: return "Tensor?[]";
    case Kind::Int: return "int";
    case Kind::IntList: return "int[]";
    case Kind::Float: return "float";
    case Kind::FloatList: return "float[]";
    case Kind::Bool: return "bool";
    case Kind::BoolList: return "bool[]";
    case Kind::Scalar: return "Scalar";
    case Kind::Str: return "str";
    case Kind::Device: return "Device";
    case Kind::Generator: return "Generator";
    default: return "unsupported";
  }
}

struct ArgSpec {
  std::string name;
  Kind kind = Kind::Unsupported;
  bool optional = false;
  int listLen = 0;  // int[2] accepts one int, broadcast to both entries
  c10::optional<c10::IValue> def;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;
  std::vector<ArgSpec> args;
  std::vector<int> retAliasesArg;  // >= 0: the return is that (mutated) argument; JS returns it itself
};

// Operator handles resolved so far, indexed by the ids handed to JS. One per environment
// (see AddonData): ids are meaningful only to the thread that asked for them.
struct OpRegistry {
  std::vector<OpEntry> entries;
  std::unordered_map<std::string, size_t> index;
};

static OpRegistry& registryOf(Napi::Env env) {
  auto& d = addonData(env);
  if (!d.ops) d.ops = std::make_shared<OpRegistry>();
  return *d.ops;
}

static Kind scalarKind(const c10::TypePtr& t) {
  switch (t->kind()) {
    case c10::TypeKind::TensorType: return Kind::Tensor;
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType: return Kind::Int;
    case c10::TypeKind::FloatType: return Kind::Float;
    case c10::TypeKind::BoolType: return Kind::Bool;
    case c10::TypeKind::NumberType: return Kind::Scalar;
    case c10::TypeKind::StringType: return Kind::Str;
    case c10::TypeKind::DeviceObjType: return Kind::Device;
    case c10::TypeKind::GeneratorType: return Kind::Generator;
    default: return Kind::Unsupported;
  }
}

static ArgSpec specOf(const c10::Argument& a) {
  ArgSpec s;
  s.name = a.name();
  s.def = a.default_value();
  c10::TypePtr t = a.type();
  if (auto o = t->cast<c10::OptionalType>()) {
    s.optional = true;
    t = o->getElementType();
  }
  if (auto l = t->cast<c10::ListType>()) {
    auto e = l->getElementType();
    s.listLen = a.N() ? static_cast<int>(*a.N()) : 0;
    if (auto eo = e->cast<c10::OptionalType>()) {
      s.kind = eo->getElementType()->kind() == c10::TypeKind::TensorType ? Kind::OptTensorList : Kind::Unsupported;
    } else {
      switch (scalarKind(e)) {
        case Kind::Tensor: s.kind = Kind::TensorList; break;
        case Kind::Int: s.kind = Kind::IntList; break;
        case Kind::Float: s.kind = Kind::FloatList; break;
        case Kind::Bool: s.kind = Kind::BoolList; break;
        default: s.kind = Kind::Unsupported;
      }
    }
  } else {
    s.kind = scalarKind(t);
  }
  return s;
}

[[noreturn]] static void argError(Napi::Env env, const OpEntry& op, const ArgSpec& s, const std::string& why) {
  throw Napi::TypeError::New(env, op.name + "(" + s.name + "): " + why);
}

static int64_t toInt(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) argError(env, op, s, "expected an integer, got " + std::to_string(d));
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  argError(env, op, s, "expected an integer");
}

static double toFloat(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  if (v.IsBigInt()) {
    bool lossless;
    return static_cast<double>(v.As<Napi::BigInt>().Int64Value(&lossless));
  }
  argError(env, op, s, "expected a number");
}

static bool toBool(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
  argError(env, op, s, "expected a boolean");
}

template <typename F>
static auto toList(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v, F each) {
  using T = decltype(each(v));
  std::vector<T> out;
  if (v.IsArray()) {
    auto arr = v.As<Napi::Array>();
    out.reserve(arr.Length());
    for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(each(arr.Get(i)));
  } else if (s.listLen > 0 && !v.IsObject()) {
    out.assign(static_cast<size_t>(s.listLen), each(v));
  } else {
    argError(env, op, s, std::string("expected ") + kindName(s.kind));
  }
  return out;
}

// Tensor arguments are the hot path: no string is built unless the argument is bad.
static const at::Tensor& tensorArg(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  const auto* box = tensorBoxOf(v);
  if (!box) argError(env, op, s, isGeneratorHandle(v) ? "expected a Tensor, got a Generator" : "expected a Tensor");
  if (!box->t.defined()) argError(env, op, s, "tensor was disposed");
  return box->t;
}

static c10::IValue toIValue(Napi::Env env, const OpEntry& op, const ArgSpec& s, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) {
    if (s.def) return *s.def;
    if (s.optional) return c10::IValue();
    argError(env, op, s, "missing required argument of type " + std::string(kindName(s.kind)));
  }
  switch (s.kind) {
    case Kind::Tensor: return tensorArg(env, op, s, v);
    case Kind::TensorList:
      return toList(env, op, s, v, [&](const Napi::Value& e) -> at::Tensor { return tensorArg(env, op, s, e); });
    case Kind::OptTensorList: {
      if (!v.IsArray()) argError(env, op, s, "expected an array of Tensor or null");
      auto arr = v.As<Napi::Array>();
      c10::List<c10::optional<at::Tensor>> list;
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value e = arr.Get(i);
        if (e.IsUndefined() || e.IsNull()) list.push_back(c10::nullopt);
        else list.push_back(tensorArg(env, op, s, e));
      }
      return list;
    }
    case Kind::Int: return toInt(env, op, s, v);
    case Kind::IntList:
      return toList(env, op, s, v, [&](const Napi::Value& e) { return toInt(env, op, s, e); });
    case Kind::Float: return toFloat(env, op, s, v);
    case Kind::FloatList:
      return toList(env, op, s, v, [&](const Napi::Value& e) { return toFloat(env, op, s, e); });
    case Kind::Bool: return toBool(env, op, s, v);
    case Kind::BoolList: {
      auto b = toList(env, op, s, v, [&](const Napi::Value& e) { return toBool(env, op, s, e); });
      c10::List<bool> list;
      for (bool x : b) list.push_back(x);
      return list;
    }
    case Kind::Scalar:
      // Integers stay integral so that `intTensor.add(1)` keeps its dtype, as in Python.
      if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
      if (v.IsBigInt()) return c10::Scalar(toInt(env, op, s, v));
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return c10::Scalar(static_cast<int64_t>(d));
        return c10::Scalar(d);
      }
      argError(env, op, s, "expected a number or boolean");
    case Kind::Str:
      if (!v.IsString()) argError(env, op, s, "expected a string");
      return v.As<Napi::String>().Utf8Value();
    case Kind::Device:
      if (!v.IsString()) argError(env, op, s, "expected a device string such as 'cpu' or 'cuda:0'");
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case Kind::Generator: {
      auto* box = generatorBoxOf(v);
      if (!box) argError(env, op, s, isTensorHandle(v) ? "expected a Generator, got a Tensor" : "expected a Generator");
      if (!box->g.defined()) argError(env, op, s, "generator was disposed");
      return box->g;
    }
    default:
      argError(env, op, s, "argument type is not supported by visionlab");
  }
}

static std::string describeValue(const Napi::Value& v) {
  if (auto* box = tensorBoxOf(v)) return box->t.defined() ? describeTensor(box->t) : "<disposed tensor>";
  if (auto* g = generatorBoxOf(v)) return g->g.defined() ? "Generator(" + g->g.device().str() + ")" : "<disposed generator>";
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsArray()) {
    auto arr = v.As<Napi::Array>();
    std::string s = "[";
    for (uint32_t i = 0; i < arr.Length(); i++) s += (i ? ", " : "") + describeValue(arr.Get(i));
    return s + "]";
  }
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  return v.ToString().Utf8Value();
}

static Napi::Value fromIValue(Napi::Env env, const c10::IValue& iv) {
  if (iv.isTensor()) return wrapTensor(env, iv.toTensor());
  if (iv.isNone()) return env.Undefined();
  if (iv.isDouble()) return Napi::Number::New(env, iv.toDouble());
  if (iv.isInt()) return Napi::Number::New(env, static_cast<double>(iv.toInt()));
  if (iv.isBool()) return Napi::Boolean::New(env, iv.toBool());
  if (iv.isString()) return Napi::String::New(env, iv.toStringRef());
  if (iv.isTensorList()) {
    auto list = iv.toTensorList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(static_cast<uint32_t>(i), wrapTensor(env, list.get(i)));
    return arr;
  }
  if (iv.isIntList()) {
    auto list = iv.toIntList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(list.get(i))));
    return arr;
  }
  if (iv.isDoubleList()) {
    auto list = iv.toDoubleList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, list.get(i)));
    return arr;
  }
  if (iv.isList()) {
    auto list = iv.toListRef();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); i++) arr.Set(static_cast<uint32_t>(i), fromIValue(env, list[i]));
    return arr;
  }
  if (iv.isTuple()) {
    const auto& elems = iv.toTupleRef().elements();
    auto arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); i++) arr.Set(static_cast<uint32_t>(i), fromIValue(env, elems[i]));
    return arr;
  }
  if (iv.isScalar()) return Napi::Number::New(env, iv.toScalar().toDouble());
  if (iv.isDevice()) return Napi::String::New(env, iv.toDevice().str());
  throw Napi::TypeError::New(env, "result of type " + iv.tagKind() + " cannot be returned to JS");
}

static OpEntry makeEntry(const c10::OperatorHandle& h) {
  OpEntry e{h, "", {}, {}};
  const auto& schema = h.schema();
  e.name = schema.name() + (schema.overload_name().empty() ? "" : "." + schema.overload_name());
  for (const auto& a : schema.arguments()) e.args.push_back(specOf(a));
  for (const auto& r : schema.returns()) {
    int alias = -1;
    if (r.alias_info() && r.alias_info()->isWrite()) {
      const auto& args = schema.arguments();
      for (size_t i = 0; i < args.size(); i++)
        if (args[i].alias_info() && args[i].alias_info()->isWrite() &&
            args[i].alias_info()->beforeSets() == r.alias_info()->beforeSets())
          alias = static_cast<int>(i);
    }
    e.retAliasesArg.push_back(alias);
  }
  return e;
}

// What the caller passed, for error messages: tensors by shape and dtype, other values as
// written. Defaults (undefined) are left out: they are not what the caller passed.
static Napi::Object describeArg(Napi::Env env, const std::string& name, const Napi::Value& v) {
  auto o = Napi::Object::New(env);
  o.Set("name", name);
  auto* box = tensorBoxOf(v);
  if (box && box->t.defined()) {
    const auto& t = box->t;
    auto shape = Napi::Array::New(env, static_cast<size_t>(t.dim()));
    for (int64_t i = 0; i < t.dim(); i++) shape.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.size(i))));
    o.Set("shape", shape);
    o.Set("dtype", dtypeName(t.scalar_type()));
    o.Set("device", t.device().str());
  } else {
    o.Set("value", describeValue(v));
  }
  return o;
}

// An operator's failure as the JS error class handed over at start-up (TorchError, with
// `op` and `args`), or a plain Error before that; the message is the same either way.
static Napi::Error operatorError(Napi::Env env, const OpEntry& op, const Napi::CallbackInfo& info, size_t given,
                                 const std::string& reason) {
  std::string msg = op.name + "(";
  auto args = Napi::Array::New(env);
  uint32_t n = 0;
  for (size_t i = 0; i < given; i++) {
    if (info[i + 1].IsUndefined()) continue;
    msg += (n ? ", " : "") + op.args[i].name + "=" + describeValue(info[i + 1]);
    args.Set(n++, describeArg(env, op.args[i].name, info[i + 1]));
  }
  msg += "): " + reason;
  auto& cls = addonData(env).errorClass;
  if (cls.IsEmpty()) return Napi::Error::New(env, msg);
  Napi::Object err = cls.New({Napi::String::New(env, msg), Napi::String::New(env, op.name), args});
  return Napi::Error(env, err);
}

// setErrorClass(cls): operator errors are built as `new cls(message, op, args)`.
static Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (!info[0].IsFunction()) throw Napi::TypeError::New(env, "setErrorClass: expected a class");
  addonData(env).errorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

// enumNames() -> libtorch's Layout and MemoryFormat names in code order, which the code
// generator records so that the TS constants match this libtorch's numbering.
static Napi::Value EnumNames(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  auto layouts = Napi::Array::New(env);
  for (int i = 0; i < static_cast<int>(c10::Layout::NumOptions); i++) {
    std::ostringstream ss;
    ss << static_cast<c10::Layout>(i);
    layouts.Set(static_cast<uint32_t>(i), ss.str());
  }
  auto formats = Napi::Array::New(env);
  for (int i = 0; i < static_cast<int>(c10::MemoryFormat::NumOptions); i++) {
    std::ostringstream ss;
    ss << static_cast<c10::MemoryFormat>(i);
    formats.Set(static_cast<uint32_t>(i), ss.str());
  }
  o.Set("layout", layouts);
  o.Set("memoryFormat", formats);
  return o;
}

// opHandle(name, overload) -> integer id for call().
static Napi::Value OpHandle(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string key = name + "." + overload;
  auto& reg = registryOf(env);
  auto it = reg.index.find(key);
  if (it != reg.index.end()) return Napi::Number::New(env, static_cast<double>(it->second));
  VL_GUARD_BEGIN
  auto h = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!h) throw Napi::Error::New(env, "operator " + name + (overload.empty() ? "" : "." + overload) + " is not registered in this libtorch");
  reg.entries.push_back(makeEntry(*h));
  reg.index[key] = reg.entries.size() - 1;
  return Napi::Number::New(env, static_cast<double>(reg.entries.size() - 1));
  VL_GUARD_END(env, "opHandle(" + key + ")")
}

// call(id, ...args): arguments in schema order; undefined takes the schema default.
static Napi::Value Call(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  size_t id = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  auto& reg = registryOf(env);
  if (id >= reg.entries.size()) throw Napi::RangeError::New(env, "call: unknown operator id");
  const OpEntry& op = reg.entries[id];
  size_t given = info.Length() - 1;
  if (given > op.args.size())
    throw Napi::TypeError::New(env, op.name + ": expected at most " + std::to_string(op.args.size()) + " arguments, got " + std::to_string(given));
  torch::jit::Stack stack;
  stack.reserve(op.args.size());
  for (size_t i = 0; i < op.args.size(); i++) stack.push_back(toIValue(env, op, op.args[i], i < given ? info[i + 1] : env.Undefined()));
  try {
    op.handle.callBoxed(stack);
  } catch (const std::exception& e) {
    const c10::Error* ce = dynamic_cast<const c10::Error*>(&e);
    throw operatorError(env, op, info, given, cleanTorchMessage(ce ? ce->what_without_backtrace() : e.what()));
  }
  if (stack.size() == 1) {
    return op.retAliasesArg[0] >= 0 ? env.Undefined() : fromIValue(env, stack[0]);
  }
  auto arr = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); i++)
    arr.Set(static_cast<uint32_t>(i), op.retAliasesArg[i] >= 0 ? env.Undefined() : fromIValue(env, stack[i]));
  return arr;
}

// timeCall(id, iterations, ...args) -> seconds per call of the operator inside C++, with
// arguments converted once: libtorch's own cost, against which benchmarks measure the
// binding's overhead.
static Napi::Value TimeCall(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  size_t id = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
  int64_t iters = info[1].As<Napi::Number>().Int64Value();
  auto& reg = registryOf(env);
  if (id >= reg.entries.size()) throw Napi::RangeError::New(env, "timeCall: unknown operator id");
  const OpEntry& op = reg.entries[id];
  size_t given = info.Length() - 2;
  std::vector<c10::IValue> args;
  for (size_t i = 0; i < op.args.size(); i++) args.push_back(toIValue(env, op, op.args[i], i < given ? info[i + 2] : env.Undefined()));
  VL_GUARD_BEGIN
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t k = 0; k < iters; k++) {
    torch::jit::Stack stack(args.begin(), args.end());
    op.handle.callBoxed(stack);
  }
  auto t1 = std::chrono::steady_clock::now();
  return Napi::Number::New(env, std::chrono::duration<double>(t1 - t0).count() / static_cast<double>(iters));
  VL_GUARD_END(env, "timeCall(" + op.name + ")")
}

// listSchemas() -> every registered operator with its arguments, for the code generator.
static Napi::Value ListSchemas(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto names = c10::Dispatcher::singleton().getAllOpNames();
  auto out = Napi::Array::New(env);
  uint32_t n = 0;
  for (const auto& on : names) {
    auto h = c10::Dispatcher::singleton().findSchema(on);
    if (!h) continue;
    const auto& schema = h->schema();
    auto o = Napi::Object::New(env);
    o.Set("name", schema.name());
    o.Set("overload", schema.overload_name());
    std::ostringstream ss;
    ss << schema;
    o.Set("schema", ss.str());
    auto args = Napi::Array::New(env);
    uint32_t ai = 0;
    for (const auto& a : schema.arguments()) {
      auto s = specOf(a);
      auto ao = Napi::Object::New(env);
      ao.Set("name", a.name());
      ao.Set("type", a.real_type()->annotation_str());
      ao.Set("kind", kindName(s.kind));
      ao.Set("optional", s.optional);
      ao.Set("hasDefault", a.default_value().has_value());
      ao.Set("kwargOnly", a.kwarg_only());
      ao.Set("writes", a.alias_info() != nullptr && a.alias_info()->isWrite());
      args.Set(ai++, ao);
    }
    o.Set("args", args);
    auto rets = Napi::Array::New(env);
    uint32_t ri = 0;
    for (const auto& r : schema.returns()) {
      auto ro = Napi::Object::New(env);
      ro.Set("type", r.real_type()->annotation_str());
      ro.Set("writes", r.alias_info() != nullptr && r.alias_info()->isWrite());
      rets.Set(ri++, ro);
    }
    o.Set("returns", rets);
    out.Set(n++, o);
  }
  return out;
}

void initOps(Napi::Env env, Napi::Object exports) {
  exports.Set("opHandle", Napi::Function::New(env, OpHandle));
  exports.Set("call", Napi::Function::New(env, Call));
  exports.Set("listSchemas", Napi::Function::New(env, ListSchemas));
  exports.Set("timeCall", Napi::Function::New(env, TimeCall));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("enumNames", Napi::Function::New(env, EnumNames));
}

}  // namespace vl
