// SyncBatchNorm: batch normalisation whose training statistics are those of the global
// batch, summed over every rank, so that small per-rank batches normalise as one large
// batch would. Autograd differentiates through the sums (their backward is another
// all-reduce), so gradients are those of the global batch as well. Eval mode, and a
// group of one, behave exactly as BatchNorm. Names and buffers are BatchNorm's, so
// state dicts move between the two.
import { type Tensor, tensor, noGrad } from '../../torch/index.js';
import type { ProcessGroup } from '../../torch/distributed/index.js';
import { BatchNorm1d, BatchNorm2d, type BatchNormOptions, type AnyModule } from '../../nn/index.js';

export class SyncBatchNorm extends BatchNorm2d {
  protected override readonly ranks: number[] = [2, 3, 4, 5];

  constructor(numFeatures: number, readonly group: ProcessGroup, opts: BatchNormOptions = {}) {
    super(numFeatures, opts);
  }

  override forward(x: Tensor): Tensor {
    if (!this.training || this.group.worldSize === 1) return super.forward(x);
    if (x.ndim < 2 || x.shape[1] !== this.numFeatures) {
      throw new RangeError(`SyncBatchNorm(${this.numFeatures}): expected input [N, ${this.numFeatures}, ...], got shape [${x.shape.join(', ')}]`);
    }
    const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
    const perChannel = [1, this.numFeatures, ...Array<number>(x.ndim - 2).fill(1)];
    const count = noGrad(() => this.group.allReduce(tensor([x.numel() / this.numFeatures], { dtype: 'float64' })).item());
    if (count <= 1) throw new RangeError(`SyncBatchNorm(${this.numFeatures}): expected more than 1 value per channel over all ranks, got ${count}`);
    // Two passes (mean, then squared deviations) rather than E[x²] - E[x]², which loses
    // precision when the mean is large against the spread.
    const mean = this.group.allReduceSum(x.sum(dims)).div(count);
    const centered = x.sub(mean.view(perChannel));
    const variance = this.group.allReduceSum(centered.square().sum(dims)).div(count);
    this.updateRunningStats(mean, variance, count);
    let y = centered.mul(variance.add(this.eps).rsqrt().view(perChannel));
    if (this.weight) y = y.mul(this.weight.view(perChannel));
    if (this.bias) y = y.add(this.bias.view(perChannel));
    return y;
  }

  private updateRunningStats(mean: Tensor, variance: Tensor, count: number): void {
    if (!this.trackRunningStats) return;
    const rm = this.runningMean;
    const rv = this.runningVar;
    const counter = this.numBatchesTracked;
    noGrad(() => {
      counter?.add_(1);
      const m = this.momentum ?? 1 / (counter?.item() ?? 1);
      // The running variance is the unbiased estimate, as in BatchNorm.
      rm?.mul_(1 - m).add_(mean.detach().mul(m));
      rv?.mul_(1 - m).add_(variance.detach().mul(m * count / (count - 1)));
    });
  }

  /**
   * Replaces every BatchNorm1d/BatchNorm2d inside module by a SyncBatchNorm with the same
   * parameters and running statistics (torch.nn.SyncBatchNorm.convert_sync_batchnorm).
   * Returns the module (or the replacement when module itself is a batch norm), typed
   * as the module given so that it can be wrapped and trained as before.
   */
  static convert<M extends AnyModule>(module: M, group: ProcessGroup): M {
    if ((module instanceof BatchNorm1d || module instanceof BatchNorm2d) && !(module instanceof SyncBatchNorm)) {
      const sync = new SyncBatchNorm(module.numFeatures, group, {
        eps: module.eps, momentum: module.momentum, affine: module.affine, trackRunningStats: module.trackRunningStats,
      });
      sync.loadStateDict(module.stateDict());
      sync.train(module.training);
      return sync as unknown as M;
    }
    for (const [name, child] of module.namedChildren()) {
      const converted = SyncBatchNorm.convert(child, group);
      if (converted !== child) module.setAttr(name, converted);
    }
    return module;
  }
}

