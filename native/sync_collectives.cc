// Collectives that autograd can differentiate, for layers whose forward needs every
// rank's data (SyncBatchNorm's batch statistics). The gradient of a sum over ranks is
// the sum over ranks of the gradients, so backward is one more all-reduce.
#include "distributed.h"
#include <torch/csrc/autograd/custom_function.h>
#include <mutex>
#include <unordered_map>

namespace vl {

// Autograd saves only IValues, so the context keeps the group's address and this table
// the group; entries are few (one per process group) and live as long as the process.
static std::mutex registryMutex;
static std::unordered_map<int64_t, std::shared_ptr<ProcessGroupBox>> registry;

static int64_t remember(const std::shared_ptr<ProcessGroupBox>& box) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto key = reinterpret_cast<int64_t>(box.get());
  registry[key] = box;
  return key;
}

static std::shared_ptr<ProcessGroupBox> recall(int64_t key) {
  std::lock_guard<std::mutex> lock(registryMutex);
  auto it = registry.find(key);
  TORCH_CHECK(it != registry.end() && it->second->pg, "allReduceSum backward: the process group was destroyed");
  return it->second;
}

static at::Tensor summedOverRanks(const at::Tensor& x, const ProcessGroupBox& box) {
  std::vector<at::Tensor> io{x.clone()};
  waitWork(box.pg->allreduce(io), box, "allReduceSum");
  return io[0];
}

struct AllReduceSum : public torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t key) {
    ctx->saved_data["group"] = key;
    return summedOverRanks(x.detach(), *recall(key));
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto box = recall(ctx->saved_data["group"].toInt());
    return {summedOverRanks(grads[0], *box), at::Tensor()};
  }
};

// allReduceSum(pg, x) -> a new tensor: the sum of x over ranks, differentiable.
static Napi::Value AllReduceSumDifferentiable(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  unwrapProcessGroup(env, info[0], "allReduceSum");
  auto box = *info[0].As<Napi::External<std::shared_ptr<ProcessGroupBox>>>().Data();
  auto& x = unwrapTensor(env, info[1], "allReduceSum");
  return wrapTensor(env, AllReduceSum::apply(x, remember(box)));
  VL_GUARD_END(env, "allReduceSum")
}

void initSyncCollectives(Napi::Env env, Napi::Object exports) {
  exports.Set("allReduceSumDifferentiable", Napi::Function::New(env, AllReduceSumDifferentiable));
}

}  // namespace vl
