// libtorch's (legacy, CPU) profiler: every operator the dispatcher runs between start and
// stop is recorded as a push/pop pair with its input shapes. The TS layer pairs them into
// per-operator self and total times.
#include "common.h"
#include <torch/csrc/autograd/profiler_legacy.h>

namespace vl {

namespace prof = torch::autograd::profiler;

static Napi::Value ProfilerStart(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  bool shapes = info.Length() > 0 && info[0].ToBoolean().Value();
  prof::enableProfilerLegacy(prof::ProfilerConfig(prof::ProfilerState::CPU, shapes));
  return env.Undefined();
  VL_GUARD_END(env, "profilerStart")
}

// Returns [kind, name, threadId, handle, timeUs, shapes] rows in recording order, kind being
// "push", "pop" or "mark"; times are relative to the first event.
static Napi::Value ProfilerStop(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  VL_GUARD_BEGIN
  auto lists = prof::disableProfilerLegacy();
  auto out = Napi::Array::New(env);
  const prof::LegacyEvent* first = nullptr;
  for (auto& list : lists) {
    for (auto& e : list) {
      if (e.kind() == prof::EventKind::PushRange && (!first || e.cpuUs() < first->cpuUs())) first = &e;
    }
  }
  uint32_t n = 0;
  for (auto& list : lists) {
    for (auto& e : list) {
      if (e.kind() == prof::EventKind::MemoryAlloc) continue;
      auto row = Napi::Array::New(env, 6);
      row.Set(0u, Napi::String::New(env, e.kindStr()));
      row.Set(1u, Napi::String::New(env, e.name()));
      row.Set(2u, Napi::Number::New(env, static_cast<double>(e.threadId())));
      row.Set(3u, Napi::Number::New(env, static_cast<double>(e.handle())));
      row.Set(4u, Napi::Number::New(env, first ? first->cpuElapsedUs(e) : 0.0));
      auto shapes = e.shapes();
      auto js = Napi::Array::New(env, shapes.size());
      for (size_t i = 0; i < shapes.size(); i++) {
        auto s = Napi::Array::New(env, shapes[i].size());
        for (size_t j = 0; j < shapes[i].size(); j++) s.Set(static_cast<uint32_t>(j), Napi::Number::New(env, static_cast<double>(shapes[i][j])));
        js.Set(static_cast<uint32_t>(i), s);
      }
      row.Set(5u, js);
      out.Set(n++, row);
    }
  }
  return out;
  VL_GUARD_END(env, "profilerStop")
}

void initProfiler(Napi::Env env, Napi::Object exports) {
  exports.Set("profilerStart", Napi::Function::New(env, ProfilerStart));
  exports.Set("profilerStop", Napi::Function::New(env, ProfilerStop));
}

}  // namespace vl
