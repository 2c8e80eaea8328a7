// Tells node-gyp where libtorch lives. The default is Debian's libtorch-dev; LIBTORCH=/path
// selects another build: an unpacked libtorch archive (CUDA or CPU) or a Python torch
// install's `torch/` folder. Kept as CommonJS because gyp runs it before anything is built.
'use strict';
const fs = require('fs');
const path = require('path');

function findRoot() {
  const env = process.env.LIBTORCH;
  if (env) {
    if (!fs.existsSync(path.join(env, 'include', 'ATen', 'ATen.h'))) {
      console.error(`LIBTORCH=${env} has no include/ATen/ATen.h; point it at a libtorch folder or a Python torch install's torch/ folder`);
      process.exit(1);
    }
    return { include: [path.join(env, 'include')], lib: path.join(env, 'lib'), root: env };
  }
  if (fs.existsSync('/usr/include/ATen/ATen.h')) {
    return { include: [], lib: '/usr/lib/x86_64-linux-gnu', root: '/usr' };
  }
  console.error('libtorch not found: tried $LIBTORCH and /usr/include/ATen/ATen.h. Run scripts/setup.sh (installs Debian libtorch-dev) or set LIBTORCH=/path/to/libtorch');
  process.exit(1);
}

// Official libtorch and pip wheels may use the pre-C++11 string ABI; read it from TorchConfig.cmake.
function abiFlag(root) {
  const cmake = path.join(root, 'share', 'cmake', 'Torch', 'TorchConfig.cmake');
  if (fs.existsSync(cmake)) {
    const m = /_GLIBCXX_USE_CXX11_ABI=([01])/.exec(fs.readFileSync(cmake, 'utf8'));
    if (m) return `-D_GLIBCXX_USE_CXX11_ABI=${m[1]}`;
  }
  return '';
}

const r = findRoot();
const what = process.argv[2];
const hasCuda = fs.existsSync(path.join(r.lib, 'libtorch_cuda.so'));
if (what === 'include') console.log(r.include.join(' '));
else if (what === 'libdir') console.log(r.lib);
else if (what === 'cflags') console.log(`${abiFlag(r.root)}${hasCuda ? ' -DVISIONLAB_CUDA=1' : ''}`.trim());
else if (what === 'libs') {
  const libs = ['-ltorch', '-ltorch_cpu', '-lc10'];
  if (hasCuda) libs.push('-ltorch_cuda', '-lc10_cuda');
  console.log(libs.join(' '));
}
