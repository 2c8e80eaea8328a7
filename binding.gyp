{
  "targets": [
    {
      "target_name": "visionlab",
      "sources": [
        "native/addon.cc",
        "native/ops.cc",
        "native/tensor_handle.cc",
        "native/autograd.cc",
        "native/generator.cc",
        "native/amp.cc",
        "native/profiler.cc",
        "native/blas.cc",
        "native/process_group.cc",
        "native/ddp_reducer.cc",
        "native/sync_collectives.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node scripts/libtorch-config.cjs include)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-frtti", "-Wno-unused-parameter", "-Wno-deprecated-declarations", "<!@(node scripts/libtorch-config.cjs cflags)"],
      "libraries": [
        "-L<!(node scripts/libtorch-config.cjs libdir)",
        "-Wl,--no-as-needed",
        "<!@(node scripts/libtorch-config.cjs libs)",
        "-Wl,--as-needed",
        "-Wl,-rpath,<!(node scripts/libtorch-config.cjs libdir)"
      ]
    }
  ]
}
