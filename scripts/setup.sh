#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks, then the npm packages (which builds the
# native addon against libtorch). Idempotent: installs only what is missing.
#   LIBTORCH=/path/to/libtorch bash scripts/setup.sh   builds against another libtorch
#   (a CUDA build, or a Python torch install's torch/ folder) and skips Debian's libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pkgs=(build-essential python3 dataset-fashion-mnist fonts-dejavu-core)
# Debian's libtorch calls the system BLAS (libblas.so.3), which is the slow reference
# implementation unless an optimised one is installed: OpenBLAS, built for OpenMP like
# libtorch, makes the dense layers about 20x faster and a quickstart epoch about 10% shorter.
if [ -z "${LIBTORCH:-}" ]; then pkgs+=(libtorch-dev libopenblas0-openmp); fi
# Debian's libtorch has ProcessGroupGloo compiled in, but its header includes gloo's headers,
# which libtorch-dev does not ship: the distributed bindings need libgloo-dev to compile.
if [ -z "${LIBTORCH:-}" ]; then pkgs+=(libgloo-dev); fi
# PyTorch (and scikit-image, for SSIM) from Debian are only references for parity checks and benchmarks.
if [ "${VISIONLAB_SKIP_REFERENCE:-}" != 1 ]; then pkgs+=(python3-torch python3-torchvision python3-skimage); fi
# Chromium drives the browser tests (through playwright-core) of the dashboard and of the
# exported ONNX web page, and the dashboard's screenshots.
if [ "${VISIONLAB_SKIP_REFERENCE:-}" != 1 ]; then pkgs+=(chromium); fi
for p in "${pkgs[@]}"; do have "$p" || need+=("$p"); done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# libtorch-dev also pulls in OpenBLAS's pthreads build, which Debian's alternatives then
# prefer. Its worker threads busy-wait between calls and fight libtorch's OpenMP threads
# for the cores: on the 2-core machine PyTorch trained a small MLP 4.5 times and the U-Net
# denoiser 3.3 times slower so, on two threads. The OpenMP build shares libtorch's threads.
if [ -z "${LIBTORCH:-}" ]; then
  arch=$(gcc -dumpmachine)
  for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
    target="/usr/lib/$arch/openblas-openmp/$lib"
    if [ -e "$target" ] && [ "$(readlink "/etc/alternatives/$lib-$arch" 2>/dev/null)" != "$target" ]; then
      echo "setup: using OpenBLAS's OpenMP build for $lib"
      $SUDO update-alternatives --quiet --set "$lib-$arch" "$target"
    fi
  done
fi

if [ ! -f build/Release/visionlab.node ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # onnxruntime-node's install step would fetch CUDA libraries; its CPU build ships in
  # the npm package (.npmrc says the same for plain npm commands).
  ONNXRUNTIME_NODE_INSTALL=skip npm ci
else
  npm run build --silent
fi

# `npx visionlab` inside this clone links the package into npx's cache (npm does that for a
# package's own command); the install and prepare scripts then see npm_command=exec and
# skip rebuilding the addon and recompiling when their outputs exist, so it starts at once.
# The command is also linked where npm scripts and a PATH with node_modules/.bin find it.
chmod +x dist/src/cli/main.js
mkdir -p node_modules/.bin
ln -sfn ../../dist/src/cli/main.js node_modules/.bin/visionlab
echo "setup: done (npx visionlab --help)"
