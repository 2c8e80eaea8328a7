// Process groups shared by the distributed binding files (process_group.cc, ddp_reducer.cc,
// sync_collectives.cc). Compiled with USE_C10D_GLOO so that ProcessGroupGloo's header,
// which needs Debian's libgloo-dev, is seen.
#pragma once
// Defined here rather than in binding.gyp so that only these files see the gloo headers.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "common.h"
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <chrono>

namespace vl {

// One JS handle owns one process group and the store its rendezvous went through.
struct ProcessGroupBox {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  std::string backend;
  std::chrono::milliseconds timeout;
  // Kept apart from pg so that errors can name the rank after the group is destroyed.
  int rank = 0;
  int worldSize = 0;
};

// The group behind a JS handle; throws a JS TypeError naming `what` otherwise, and an
// Error when the group was already destroyed.
ProcessGroupBox& unwrapProcessGroup(Napi::Env env, const Napi::Value& v, const char* what);
// Waits for a collective, turning a timeout or a peer's failure into a c10::Error whose
// message says which collective of which rank failed.
void waitWork(const c10::intrusive_ptr<c10d::Work>& work, const ProcessGroupBox& box, const char* what);

void initProcessGroup(Napi::Env env, Napi::Object exports);
void initDdpReducer(Napi::Env env, Napi::Object exports);
void initSyncCollectives(Napi::Env env, Napi::Object exports);

}  // namespace vl
