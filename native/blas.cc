// The BLAS that libtorch calls for float32 matrix products (Linear layers and some
// convolution paths). Debian's OpenBLAS comes in an OpenMP build and a pthreads build;
// the pthreads build's worker threads busy-wait between calls, and next to libtorch's
// own OpenMP threads they take the cores from them (on a 2-core machine two threads trained
// an MLP 4.5 times slower). When that build is the one loaded it is told to use one
// thread, and libtorch's threads parallelise around it. The OpenMP build shares
// libtorch's thread pool and is left alone.
#include "common.h"
#include <dlfcn.h>

namespace vl {

struct OpenBlas {
  int (*getParallel)() = nullptr;  // 0: sequential, 1: pthreads, 2: OpenMP
  int (*getNumThreads)() = nullptr;
  void (*setNumThreads)(int) = nullptr;
  char* (*getConfig)() = nullptr;
};

// OpenBLAS as loaded with libtorch (RTLD_NOLOAD: nothing new is loaded), if it is OpenBLAS.
static bool findOpenBlas(OpenBlas& o) {
  for (const char* name : {"libopenblas.so.0", "libblas.so.3"}) {
    void* h = dlopen(name, RTLD_LAZY | RTLD_NOLOAD);
    if (!h) continue;
    o.getParallel = reinterpret_cast<int (*)()>(dlsym(h, "openblas_get_parallel"));
    o.getNumThreads = reinterpret_cast<int (*)()>(dlsym(h, "openblas_get_num_threads"));
    o.setNumThreads = reinterpret_cast<void (*)(int)>(dlsym(h, "openblas_set_num_threads"));
    o.getConfig = reinterpret_cast<char* (*)()>(dlsym(h, "openblas_get_config"));
    // libtorch holds its own reference, so the functions stay valid after this one goes.
    dlclose(h);
    if (o.getParallel && o.getNumThreads && o.setNumThreads && o.getConfig) return true;
  }
  return false;
}

static const char* parallelName(int p) { return p == 0 ? "sequential" : p == 1 ? "pthreads" : p == 2 ? "openmp" : "unknown"; }

static Napi::Value BlasInfo(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto out = Napi::Object::New(env);
  OpenBlas o;
  if (!findOpenBlas(o)) {
    out.Set("library", "other");
    return out;
  }
  out.Set("library", "openblas");
  out.Set("parallel", parallelName(o.getParallel()));
  out.Set("threads", o.getNumThreads());
  out.Set("config", std::string(o.getConfig()));
  return out;
}

void initBlas(Napi::Env env, Napi::Object exports) {
  OpenBlas o;
  if (findOpenBlas(o) && o.getParallel() == 1) o.setNumThreads(1);
  exports.Set("blasInfo", Napi::Function::New(env, BlasInfo));
}

}  // namespace vl
