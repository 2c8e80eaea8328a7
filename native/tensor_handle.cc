// Tensor handles: creation from JS buffers, reading data back, metadata and disposal.
#include "common.h"
#include <sstream>

namespace vl {

static int64_t ownedBytes(const at::Tensor& t) {
  // Count storage only when this tensor is its sole owner, so views are not counted twice.
  if (!t.defined() || !t.has_storage()) return 0;
  const auto& s = t.storage();
  if (s.use_count() > 1) return 0;
  return static_cast<int64_t>(s.nbytes());
}

// Random 128-bit tags: napi checks them on every unwrap, so a handle of another kind (or
// another addon's external) is recognised and rejected.
static const napi_type_tag kTensorTag = {0x6a1c3f0e9b2d4e57ULL, 0xa83d51c2f07e9b64ULL};

AddonData& addonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

static void finalizeBox(Napi::Env env, TensorBox* box) {
  // At environment teardown the instance data outlives the externals' finalizers, but a
  // null check costs nothing and keeps a late finalizer harmless.
  if (box->t.defined())
    if (auto* d = env.GetInstanceData<AddonData>()) d->liveTensors--;
  if (box->reported) Napi::MemoryManagement::AdjustExternalMemory(env, -box->reported);
  delete box;
}

Napi::Value wrapTensor(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Undefined();
  auto* box = new TensorBox{std::move(t), 0};
  addonData(env).liveTensors++;
  if (box->t.device().is_cpu()) {
    box->reported = ownedBytes(box->t);
    if (box->reported) Napi::MemoryManagement::AdjustExternalMemory(env, box->reported);
  }
  auto ext = Napi::External<TensorBox>::New(env, box, finalizeBox);
  ext.TypeTag(&kTensorTag);
  return ext;
}

bool isTensorHandle(const Napi::Value& v) {
  return v.IsExternal() && v.As<Napi::External<TensorBox>>().CheckTypeTag(&kTensorTag);
}

TensorBox* tensorBoxOf(const Napi::Value& v) {
  return isTensorHandle(v) ? v.As<Napi::External<TensorBox>>().Data() : nullptr;
}

at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& v, const char* what) {
  auto* box = tensorBoxOf(v);
  if (!box) throw Napi::TypeError::New(env, std::string(what) + ": expected a Tensor");
  if (!box->t.defined()) throw Napi::Error::New(env, std::string(what) + ": tensor was disposed");
  return box->t;
}

std::string dtypeName(at::ScalarType st) {
  std::string dt = c10::toString(st);
  static const std::pair<const char*, const char*> names[] = {
      {"Float", "float32"}, {"Double", "float64"}, {"Half", "float16"}, {"BFloat16", "bfloat16"},
      {"Long", "int64"},    {"Int", "int32"},      {"Short", "int16"},  {"Byte", "uint8"},
      {"Char", "int8"},     {"Bool", "bool"}};
  for (auto& n : names)
    if (dt == n.first) return n.second;
  return dt;
}

std::string describeTensor(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream os;
  os << dtypeName(t.scalar_type()) << "[";
  for (int64_t i = 0; i < t.dim(); i++) os << (i ? ", " : "") << t.size(i);
  os << "]";
  if (!t.device().is_cpu()) os << "@" << t.device().str();
  return os.str();
}

std::string cleanTorchMessage(const std::string& msg) {
  // c10 appends "Exception raised from ..." location lines; users need only the reason.
  std::string out;
  std::istringstream is(msg);
  std::string line;
  while (std::getline(is, line)) {
    if (line.rfind("Exception raised from", 0) == 0) break;
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out.empty() ? msg : out;
}

static std::vector<int64_t> toShape(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + ": shape must be an array of integers");
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> shape(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    if (!e.IsNumber()) throw Napi::TypeError::New(env, std::string(what) + ": shape must be an array of integers");
    shape[i] = e.As<Napi::Number>().Int64Value();
    if (shape[i] < 0) throw Napi::RangeError::New(env, std::string(what) + ": negative dimension in shape");
  }
  return shape;
}

// fromBuffer(typedArrayOrArrayBuffer, scalarTypeCode, shape) -> handle (copies the bytes).
static Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto st = static_cast<at::ScalarType>(info[1].As<Napi::Number>().Int32Value());
  auto shape = toShape(env, info[2], "tensor");
  const uint8_t* data = nullptr;
  size_t len = 0;
  if (info[0].IsTypedArray()) {
    auto ta = info[0].As<Napi::TypedArray>();
    auto ab = ta.ArrayBuffer();
    data = static_cast<const uint8_t*>(ab.Data()) + ta.ByteOffset();
    len = ta.ByteLength();
  } else if (info[0].IsArrayBuffer()) {
    auto ab = info[0].As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(ab.Data());
    len = ab.ByteLength();
  } else if (info[0].IsBuffer()) {
    auto b = info[0].As<Napi::Buffer<uint8_t>>();
    data = b.Data();
    len = b.Length();
  } else {
    throw Napi::TypeError::New(env, "tensor: data must be a typed array, Buffer or ArrayBuffer");
  }
  auto t = at::empty(shape, at::TensorOptions().dtype(st));
  size_t need = static_cast<size_t>(t.numel()) * t.element_size();
  if (need != len) {
    std::ostringstream os;
    os << "tensor: data has " << len << " bytes but shape [";
    for (size_t i = 0; i < shape.size(); i++) os << (i ? ", " : "") << shape[i];
    os << "] of " << describeTensor(t).substr(0, describeTensor(t).find('[')) << " needs " << need;
    throw Napi::RangeError::New(env, os.str());
  }
  if (need) std::memcpy(t.data_ptr(), data, need);
  return wrapTensor(env, t);
  VL_GUARD_END(env, "tensor")
}

// toBuffer(handle) -> ArrayBuffer holding the contiguous CPU bytes.
static Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  at::Tensor t = unwrapTensor(env, info[0], "toTypedArray");
  t = t.detach();
  if (!t.device().is_cpu()) t = t.cpu();
  t = t.contiguous();
  size_t n = static_cast<size_t>(t.numel()) * t.element_size();
  auto ab = Napi::ArrayBuffer::New(env, n);
  if (n) std::memcpy(ab.Data(), t.data_ptr(), n);
  return ab;
  VL_GUARD_END(env, "toTypedArray")
}

static Napi::Value Shape(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = unwrapTensor(env, info[0], "shape");
  auto arr = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(t.size(i))));
  return arr;
}

static Napi::Value Dim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(unwrapTensor(info.Env(), info[0], "dim").dim()));
}

static Napi::Value Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(unwrapTensor(info.Env(), info[0], "numel").numel()));
}

// Whether the tensor is dense in the given memory format (0 contiguous, 2 channels-last, ...).
static Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& t = unwrapTensor(env, info[0], "isContiguous");
  auto fmt = static_cast<at::MemoryFormat>(info[1].As<Napi::Number>().Int32Value());
  return Napi::Boolean::New(env, t.is_contiguous(fmt));
  VL_GUARD_END(env, "isContiguous")
}

static Napi::Value DType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(unwrapTensor(info.Env(), info[0], "dtype").scalar_type()));
}

static Napi::Value Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), unwrapTensor(info.Env(), info[0], "device").device().str());
}

static Napi::Value Describe(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), describeTensor(unwrapTensor(info.Env(), info[0], "describe")));
}

static Napi::Value Dispose(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto* box = tensorBoxOf(info[0]);
  if (!box) throw Napi::TypeError::New(env, "dispose: expected a Tensor");
  if (box->reported) Napi::MemoryManagement::AdjustExternalMemory(env, -box->reported);
  box->reported = 0;
  if (box->t.defined()) addonData(env).liveTensors--;
  box->t = at::Tensor();
  return env.Undefined();
}

// Scalar value of a one-element tensor as a JS number (booleans as 0/1).
static Napi::Value Item(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& t = unwrapTensor(env, info[0], "item");
  auto s = t.item();
  if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(env, static_cast<double>(s.toLong()));
  return Napi::Number::New(env, s.toDouble());
  VL_GUARD_END(env, "item")
}

static Napi::Value LiveHandles(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(addonData(info.Env()).liveTensors));
}

void initTensorHandle(Napi::Env env, Napi::Object exports) {
  exports.Set("liveHandles", Napi::Function::New(env, LiveHandles));
  exports.Set("fromBuffer", Napi::Function::New(env, FromBuffer));
  exports.Set("toBuffer", Napi::Function::New(env, ToBuffer));
  exports.Set("shape", Napi::Function::New(env, Shape));
  exports.Set("dim", Napi::Function::New(env, Dim));
  exports.Set("numel", Napi::Function::New(env, Numel));
  exports.Set("dtype", Napi::Function::New(env, DType));
  exports.Set("isContiguous", Napi::Function::New(env, IsContiguous));
  exports.Set("device", Napi::Function::New(env, Device));
  exports.Set("describe", Napi::Function::New(env, Describe));
  exports.Set("dispose", Napi::Function::New(env, Dispose));
  exports.Set("item", Napi::Function::New(env, Item));
}

}  // namespace vl
