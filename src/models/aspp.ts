// Atrous spatial pyramid pooling (DeepLabV3) with torchvision's module names
// (convs.0 1×1, convs.1-3 dilated 3×3, convs.4 image pooling, project), so the heads built
// on it load torchvision's segmentation state dicts.
import { type Tensor, cat } from '../torch/index.js';
import { Module, Sequential, ModuleList, Conv2d, BatchNorm2d, ReLU, Dropout, AdaptiveAvgPool2d, functional as F } from '../nn/index.js';
import { child } from './options.js';

/** conv → batch norm → ReLU, children '0', '1', '2' (torchvision's ASPPConv and the 1×1 branch). */
export function convBnReLU(inCh: number, outCh: number, kernel: number, dilation = 1): Sequential {
  return new Sequential(
    new Conv2d(inCh, outCh, kernel, { padding: ((kernel - 1) >> 1) * dilation, dilation, bias: false }),
    new BatchNorm2d(outCh),
    new ReLU(),
  );
}

/** Global context: average pool to 1×1, 1×1 conv, batch norm, ReLU, spread back over the map. */
export class ASPPPooling extends Sequential {
  constructor(inCh: number, outCh: number) {
    super(new AdaptiveAvgPool2d(1), new Conv2d(inCh, outCh, 1, { bias: false }), new BatchNorm2d(outCh), new ReLU());
  }

  override forward(x: Tensor): Tensor {
    const [h, w] = x.shape.slice(-2) as [number, number];
    return F.interpolate(super.forward(x), { size: [h, w], mode: 'bilinear', alignCorners: false });
  }
}

export class ASPP extends Module {
  constructor(readonly inChannels: number, readonly rates: readonly number[] = [12, 24, 36], readonly outChannels = 256, dropout = 0.5) {
    super();
    if (rates.length === 0 || !rates.every((r) => Number.isInteger(r) && r >= 1)) {
      throw new RangeError(`ASPP: rates must be positive integers, got [${rates.join(', ')}]`);
    }
    const branches: Module[] = [convBnReLU(inChannels, outChannels, 1)];
    for (const r of rates) branches.push(convBnReLU(inChannels, outChannels, 3, r));
    branches.push(new ASPPPooling(inChannels, outChannels));
    this.registerModule('convs', new ModuleList(branches));
    this.registerModule('project', new Sequential(
      new Conv2d(branches.length * outChannels, outChannels, 1, { bias: false }),
      new BatchNorm2d(outChannels),
      new ReLU(),
      new Dropout(dropout),
    ));
  }

  override forward(x: Tensor): Tensor {
    const outs = [...child(this, 'convs', ModuleList)].map((m) => (m as Module).call(x));
    return child(this, 'project', Sequential).call(cat(outs, 1));
  }
}
