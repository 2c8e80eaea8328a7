// c10d process groups: rendezvous through a TCPStore (master address and port) or a
// FileStore (a shared file), ProcessGroupGloo on CPU and ProcessGroupNCCL when libtorch
// has CUDA, and the collectives the TS layer builds data parallelism from. Every
// collective returns a work handle; waiting on it is where a dead peer or a timeout
// becomes a JS error.
#include "distributed.h"
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <cstdlib>
// ProcessGroupNCCL only with a CUDA libtorch whose include path has NCCL's header; its
// symbols are in libtorch_cuda, which scripts/libtorch-config.cjs links in that case.
#if defined(VISIONLAB_CUDA) && __has_include(<nccl.h>)
#define VISIONLAB_NCCL 1
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace vl {

static const napi_type_tag kProcessGroupTag = {0x2f4b8c61d07a4e13ULL, 0x9c35e8a1b46f0d72ULL};
static const napi_type_tag kWorkTag = {0x71e0a9c3b5d24f86ULL, 0x0d8f6b2ea4c1973bULL};

struct WorkBox {
  c10::intrusive_ptr<c10d::Work> work;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;  // keeps the group alive while the work runs
  std::shared_ptr<ProcessGroupBox> box;
  std::string what;
};

static void finalizeProcessGroup(Napi::Env, std::shared_ptr<ProcessGroupBox>* box) { delete box; }
static void finalizeWork(Napi::Env, WorkBox* w) { delete w; }

static std::shared_ptr<ProcessGroupBox>& boxPointer(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsExternal() || !v.As<Napi::External<void>>().CheckTypeTag(&kProcessGroupTag))
    throw Napi::TypeError::New(env, std::string(what) + ": expected a ProcessGroup");
  return *v.As<Napi::External<std::shared_ptr<ProcessGroupBox>>>().Data();
}

ProcessGroupBox& unwrapProcessGroup(Napi::Env env, const Napi::Value& v, const char* what) {
  auto& box = boxPointer(env, v, what);
  if (!box->pg) throw Napi::Error::New(env, std::string(what) + ": the process group was destroyed");
  return *box;
}

void waitWork(const c10::intrusive_ptr<c10d::Work>& work, const ProcessGroupBox& box, const char* what) {
  try {
    work->wait(box.timeout);
  } catch (const std::exception& e) {
    TORCH_CHECK(false, what, " on rank ", box.rank, " of ", box.worldSize, " (", box.backend,
                ") failed: ", cleanTorchMessage(e.what()),
                " (a peer process has probably exited or stopped answering within ", box.timeout.count(), " ms)");
  }
}

static std::string stringField(const Napi::Object& o, const char* key, const std::string& dflt = "") {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : dflt;
}
static int64_t intField(const Napi::Object& o, const char* key, int64_t dflt) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : dflt;
}

static bool isLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Which network interface Gloo listens on: GLOO_SOCKET_IFNAME (PyTorch's variable) or an
// explicit interface wins; a loopback master means a single-machine job, so peers meet on
// 127.0.0.1; otherwise the address this host's name resolves to, as PyTorch does.
static std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& iface, const std::string& master) {
  std::string ifname = iface;
  if (ifname.empty())
    if (const char* env = std::getenv("GLOO_SOCKET_IFNAME")) ifname = env;
  if (!ifname.empty()) return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (isLoopback(master)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// processGroupNew({ backend, rank, worldSize, timeoutMs, host, port | filePath, interface })
static Napi::Value ProcessGroupNew(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto o = info[0].As<Napi::Object>();
  std::string backend = stringField(o, "backend", "gloo");
  int rank = static_cast<int>(intField(o, "rank", -1));
  int size = static_cast<int>(intField(o, "worldSize", -1));
  std::chrono::milliseconds timeout(intField(o, "timeoutMs", 60000));
  std::string host = stringField(o, "host");
  std::string filePath = stringField(o, "filePath");
  auto box = std::make_shared<ProcessGroupBox>();
  box->backend = backend;
  box->rank = rank;
  box->worldSize = size;
  box->timeout = timeout;
  if (!filePath.empty()) {
    box->store = c10::make_intrusive<c10d::FileStore>(filePath, size);
  } else {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(intField(o, "port", c10d::TCPStoreOptions::kDefaultPort));
    so.isServer = rank == 0;
    so.numWorkers = static_cast<std::size_t>(size);
    so.waitWorkers = true;
    so.timeout = timeout;
    box->store = c10::make_intrusive<c10d::TCPStore>(host, so);
  }
  box->store->setTimeout(timeout);
  // A prefix per backend, as torch.distributed does, so that a second group on the same
  // store does not read the first one's keys.
  auto store = c10::make_intrusive<c10d::PrefixStore>(backend + "/", box->store);
  if (backend == "gloo") {
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(glooDevice(stringField(o, "interface"), host.empty() ? "127.0.0.1" : host));
    box->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, opts);
  } else if (backend == "nccl") {
#ifdef VISIONLAB_NCCL
    auto opts = c10d::ProcessGroupNCCL::Options::create();
    opts->timeout = timeout;
    box->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, opts);
#else
    TORCH_CHECK(false, "backend 'nccl' needs a libtorch built with CUDA and NCCL (rebuild the addon with LIBTORCH=/path/to/a CUDA libtorch); this one has only 'gloo'");
#endif
  } else {
    TORCH_CHECK(false, "unknown backend '", backend, "' (expected 'gloo' or 'nccl')");
  }
  auto ext = Napi::External<std::shared_ptr<ProcessGroupBox>>::New(env, new std::shared_ptr<ProcessGroupBox>(box), finalizeProcessGroup);
  ext.TypeTag(&kProcessGroupTag);
  return ext;
  VL_GUARD_END(env, "initProcessGroup")
}

static Napi::Value NcclAvailable(const Napi::CallbackInfo& info) {
#ifdef VISIONLAB_NCCL
  return Napi::Boolean::New(info.Env(), true);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}

static Napi::Value ProcessGroupDestroy(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& box = boxPointer(env, info[0], "destroyProcessGroup");
  box->pg.reset();
  box->store.reset();
  return env.Undefined();
  VL_GUARD_END(env, "destroyProcessGroup")
}

static Napi::Value ProcessGroupInfo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& box = unwrapProcessGroup(env, info[0], "processGroupInfo");
  auto o = Napi::Object::New(env);
  o.Set("rank", box.pg->getRank());
  o.Set("worldSize", box.pg->getSize());
  o.Set("backend", box.backend);
  o.Set("timeoutMs", static_cast<double>(box.timeout.count()));
  return o;
}

static std::vector<at::Tensor> tensorList(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + ": expected an array of tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  for (uint32_t i = 0; i < arr.Length(); i++) out.push_back(unwrapTensor(env, arr.Get(i), what));
  return out;
}

static c10d::ReduceOp reduceOp(Napi::Env env, const std::string& name) {
  if (name == "sum") return c10d::ReduceOp::SUM;
  if (name == "product") return c10d::ReduceOp::PRODUCT;
  if (name == "min") return c10d::ReduceOp::MIN;
  if (name == "max") return c10d::ReduceOp::MAX;
  throw Napi::TypeError::New(env, "allReduce: op must be 'sum', 'product', 'min' or 'max', got '" + name + "'");
}

static Napi::Value wrapWork(Napi::Env env, c10::intrusive_ptr<c10d::Work> work,
                            const std::shared_ptr<ProcessGroupBox>& box, std::string what) {
  auto ext = Napi::External<WorkBox>::New(env, new WorkBox{std::move(work), box->pg, box, std::move(what)}, finalizeWork);
  ext.TypeTag(&kWorkTag);
  return ext;
}

static std::shared_ptr<ProcessGroupBox> liveBox(Napi::Env env, const Napi::Value& v, const char* what) {
  unwrapProcessGroup(env, v, what);
  return boxPointer(env, v, what);
}

// allReduce(pg, tensors[], op) -> work: in place, every rank ends with the reduction.
static Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto box = liveBox(env, info[0], "allReduce");
  auto tensors = tensorList(env, info[1], "allReduce");
  c10d::AllreduceOptions opts;
  opts.reduceOp = reduceOp(env, info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "sum");
  return wrapWork(env, box->pg->allreduce(tensors, opts), box, "allReduce");
  VL_GUARD_END(env, "allReduce")
}

// broadcast(pg, tensors[], root) -> work: in place, every rank ends with root's values.
static Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto box = liveBox(env, info[0], "broadcast");
  auto tensors = tensorList(env, info[1], "broadcast");
  c10d::BroadcastOptions opts;
  opts.rootRank = info[2].As<Napi::Number>().Int32Value();
  return wrapWork(env, box->pg->broadcast(tensors, opts), box, "broadcast");
  VL_GUARD_END(env, "broadcast")
}

// allGather(pg, outputs[], input) -> work: outputs[r] receives rank r's input.
static Napi::Value AllGather(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto box = liveBox(env, info[0], "allGather");
  std::vector<std::vector<at::Tensor>> outputs{tensorList(env, info[1], "allGather(outputs)")};
  std::vector<at::Tensor> inputs{unwrapTensor(env, info[2], "allGather(input)")};
  return wrapWork(env, box->pg->allgather(outputs, inputs), box, "allGather");
  VL_GUARD_END(env, "allGather")
}

static Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto box = liveBox(env, info[0], "barrier");
  return wrapWork(env, box->pg->barrier(), box, "barrier");
  VL_GUARD_END(env, "barrier")
}

static WorkBox& unwrapWork(Napi::Env env, const Napi::Value& v) {
  if (!v.IsExternal() || !v.As<Napi::External<void>>().CheckTypeTag(&kWorkTag))
    throw Napi::TypeError::New(env, "wait: expected a Work handle");
  return *v.As<Napi::External<WorkBox>>().Data();
}

static Napi::Value WorkWait(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& w = unwrapWork(env, info[0]);
  waitWork(w.work, *w.box, w.what.c_str());
  return env.Undefined();
  VL_GUARD_END(env, "wait")
}

static Napi::Value WorkIsCompleted(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  return Napi::Boolean::New(env, unwrapWork(env, info[0]).work->isCompleted());
  VL_GUARD_END(env, "isCompleted")
}

void initProcessGroup(Napi::Env env, Napi::Object exports) {
  exports.Set("processGroupNew", Napi::Function::New(env, ProcessGroupNew));
  exports.Set("processGroupDestroy", Napi::Function::New(env, ProcessGroupDestroy));
  exports.Set("processGroupInfo", Napi::Function::New(env, ProcessGroupInfo));
  exports.Set("ncclAvailable", Napi::Function::New(env, NcclAvailable));
  exports.Set("allReduce", Napi::Function::New(env, AllReduce));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("allGather", Napi::Function::New(env, AllGather));
  exports.Set("barrier", Napi::Function::New(env, Barrier));
  exports.Set("workWait", Napi::Function::New(env, WorkWait));
  exports.Set("workIsCompleted", Napi::Function::New(env, WorkIsCompleted));
}

}  // namespace vl
