// The gradient reducer of DistributedDataParallel. The TS layer decides the buckets
// (parameters in reverse registration order, up to a byte cap, as PyTorch does); this file
// does what must happen inside backward: a hook after each parameter's gradient
// accumulation marks it ready, and as soon as every gradient of a bucket is ready the
// bucket is flattened and all-reduced asynchronously, so communication of late layers
// overlaps the backward pass through early ones. A callback queued on the autograd engine
// runs when backward ends: it launches buckets whose parameters got no gradient (zeros,
// so every rank issues the same collectives), waits, averages and writes the gradients
// back. The hooks never call into JS, so they are safe on the engine's device threads.
#include "distributed.h"
#include <torch/csrc/autograd/engine.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <mutex>

namespace vl {

static const napi_type_tag kReducerTag = {0x5b7e2d90c1a84f36ULL, 0xe4a1730bd95c28f1ULL};

struct ReducerState {
  std::mutex mu;
  std::shared_ptr<ProcessGroupBox> box;
  std::vector<at::Tensor> params;
  std::vector<std::vector<size_t>> buckets;  // bucket -> parameter indices, in order
  std::vector<size_t> bucketOf;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // they hold our hooks
  std::vector<uintptr_t> hookKeys;
  // Per backward pass.
  bool armed = false;
  bool finalizeQueued = false;
  std::vector<bool> ready;
  std::vector<size_t> pending;
  size_t nextBucket = 0;
  std::vector<at::Tensor> flat;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  // Buckets launched from a hook (during backward) rather than at its end, over the life
  // of the reducer: evidence that communication overlaps the backward pass.
  int64_t launchedInHooks = 0;
  int64_t launchedAtEnd = 0;

  void reset() {
    armed = false;
    finalizeQueued = false;
    ready.assign(params.size(), false);
    pending.clear();
    for (auto& b : buckets) pending.push_back(b.size());
    nextBucket = 0;
    flat.assign(buckets.size(), at::Tensor());
    works.assign(buckets.size(), {});
  }

  void launch(size_t b) {
    TORCH_CHECK(box->pg, "DistributedDataParallel: the process group was destroyed");
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> pieces;
    for (size_t i : buckets[b]) {
      const auto& g = params[i].grad();
      pieces.push_back(g.defined() ? g.reshape({-1}) : at::zeros({params[i].numel()}, params[i].options()));
    }
    flat[b] = at::cat(pieces);
    std::vector<at::Tensor> io{flat[b]};
    works[b] = box->pg->allreduce(io);
  }

  // Buckets go out in index order on every rank, since collectives match by issue order.
  void launchReady(bool inHook) {
    while (nextBucket < buckets.size() && pending[nextBucket] == 0) {
      launch(nextBucket++);
      (inHook ? launchedInHooks : launchedAtEnd)++;
    }
  }

  void finalize() {
    std::lock_guard<std::mutex> lock(mu);
    // Whatever happens, the next forward starts from a clean state.
    struct Reset { ReducerState* s; ~Reset() { s->reset(); } } resetOnExit{this};
    for (auto& p : pending) p = 0;
    launchReady(false);
    at::NoGradGuard noGrad;
    double world = box->worldSize;
    for (size_t b = 0; b < buckets.size(); b++) {
      waitWork(works[b], *box, "DistributedDataParallel gradient all-reduce");
      flat[b].div_(world);
      int64_t off = 0;
      for (size_t i : buckets[b]) {
        auto& p = params[i];
        auto slice = flat[b].narrow(0, off, p.numel()).view(p.sizes());
        off += p.numel();
        if (p.grad().defined()) p.mutable_grad().copy_(slice);
        else p.mutable_grad() = slice.clone();
      }
    }
  }

  void onGradReady(size_t i, const std::weak_ptr<ReducerState>& self) {
    std::lock_guard<std::mutex> lock(mu);
    if (!armed || ready[i]) return;
    if (!finalizeQueued) {
      finalizeQueued = true;
      torch::autograd::Engine::get_default_engine().queue_callback([self] {
        if (auto s = self.lock()) s->finalize();
      });
    }
    ready[i] = true;
    pending[bucketOf[i]]--;
    launchReady(true);
  }
};

using ReducerRef = std::shared_ptr<ReducerState>;

static void finalizeReducer(Napi::Env, ReducerRef* r) {
  auto& s = **r;
  for (size_t i = 0; i < s.accumulators.size(); i++) s.accumulators[i]->del_post_hook(s.hookKeys[i]);
  delete r;
}

static ReducerState& unwrapReducer(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsExternal() || !v.As<Napi::External<void>>().CheckTypeTag(&kReducerTag))
    throw Napi::TypeError::New(env, std::string(what) + ": expected a gradient reducer");
  return **v.As<Napi::External<ReducerRef>>().Data();
}

// reducerNew(pg, params[], bucketOf[]) -> reducer. bucketOf[i] is parameter i's bucket;
// buckets are numbered in the order their all-reduces are issued.
static Napi::Value ReducerNew(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto state = std::make_shared<ReducerState>();
  unwrapProcessGroup(env, info[0], "DistributedDataParallel");
  state->box = std::shared_ptr<ProcessGroupBox>(
      *info[0].As<Napi::External<std::shared_ptr<ProcessGroupBox>>>().Data());
  auto params = info[1].As<Napi::Array>();
  auto bucketOf = info[2].As<Napi::Array>();
  if (params.Length() != bucketOf.Length())
    throw Napi::RangeError::New(env, "DistributedDataParallel: one bucket index per parameter is needed");
  for (uint32_t i = 0; i < params.Length(); i++) {
    auto& p = unwrapTensor(env, params.Get(i), "DistributedDataParallel(parameter)");
    if (!p.requires_grad() || !p.is_leaf())
      throw Napi::Error::New(env, "DistributedDataParallel: parameter " + std::to_string(i) + " (" + describeTensor(p) +
                                      ") is not a leaf tensor that requires grad");
    size_t b = static_cast<size_t>(bucketOf.Get(i).As<Napi::Number>().Int64Value());
    if (b >= state->buckets.size()) state->buckets.resize(b + 1);
    state->buckets[b].push_back(i);
    state->bucketOf.push_back(b);
    state->params.push_back(p);
  }
  for (size_t b = 0; b < state->buckets.size(); b++)
    if (state->buckets[b].empty())
      throw Napi::RangeError::New(env, "DistributedDataParallel: bucket " + std::to_string(b) + " has no parameter");
  std::weak_ptr<ReducerState> weak = state;
  for (size_t i = 0; i < state->params.size(); i++) {
    auto acc = torch::autograd::impl::grad_accumulator(state->params[i]);
    auto key = acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [weak, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          if (auto s = weak.lock()) s->onGradReady(i, weak);
          return outputs;
        }));
    state->accumulators.push_back(acc);
    state->hookKeys.push_back(key);
  }
  state->reset();
  auto ext = Napi::External<ReducerRef>::New(env, new ReducerRef(state), finalizeReducer);
  ext.TypeTag(&kReducerTag);
  return ext;
  VL_GUARD_END(env, "DistributedDataParallel")
}

// Arms the hooks for the next backward pass (a forward in training mode that syncs).
static Napi::Value ReducerPrepare(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto& s = unwrapReducer(env, info[0], "reducerPrepare");
  std::lock_guard<std::mutex> lock(s.mu);
  s.reset();
  s.armed = true;
  return env.Undefined();
  VL_GUARD_END(env, "reducerPrepare")
}

static Napi::Value ReducerStats(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& s = unwrapReducer(env, info[0], "reducerStats");
  std::lock_guard<std::mutex> lock(s.mu);
  auto o = Napi::Object::New(env);
  o.Set("buckets", static_cast<double>(s.buckets.size()));
  o.Set("launchedInHooks", static_cast<double>(s.launchedInHooks));
  o.Set("launchedAtEnd", static_cast<double>(s.launchedAtEnd));
  return o;
}

void initDdpReducer(Napi::Env env, Napi::Object exports) {
  exports.Set("reducerNew", Napi::Function::New(env, ReducerNew));
  exports.Set("reducerPrepare", Napi::Function::New(env, ReducerPrepare));
  exports.Set("reducerStats", Napi::Function::New(env, ReducerStats));
}

}  // namespace vl
