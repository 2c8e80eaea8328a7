// Optimizer and learning-rate schedule from the config's optimizer and schedule sections.
import type { Tensor } from '../torch/index.js';
import {
  type Optimizer, type ParamGroup, type LRSchedule, SGD, Adam, AdamW, RMSprop, Adadelta, Adagrad,
  OneCycleLR, CosineAnnealingLR, StepLR, ReduceLROnPlateau, LinearLR, SequentialLR,
} from '../optim/index.js';
import type { OptimizerConfig, ScheduleConfig } from './config.js';

export function buildOptimizer(cfg: OptimizerConfig, params: Tensor[]): Optimizer<ParamGroup> {
  const common = { lr: cfg.lr, weightDecay: cfg.weightDecay ?? 0, ...(cfg.eps !== undefined ? { eps: cfg.eps } : {}) };
  switch (cfg.name) {
    case 'sgd': return new SGD(params, { lr: cfg.lr, weightDecay: cfg.weightDecay ?? 0, momentum: cfg.momentum ?? 0, nesterov: cfg.nesterov ?? false });
    case 'adam': return new Adam(params, { ...common, ...(cfg.betas ? { betas: cfg.betas } : {}) });
    case 'adamw': return new AdamW(params, { ...common, weightDecay: cfg.weightDecay ?? 0.01, ...(cfg.betas ? { betas: cfg.betas } : {}) });
    case 'rmsprop': return new RMSprop(params, { ...common, momentum: cfg.momentum ?? 0 });
    case 'adadelta': return new Adadelta(params, common);
    case 'adagrad': return new Adagrad(params, common);
  }
}

export interface ScheduleContext {
  epochs: number;
  stepsPerEpoch: number;
  lr: number;
}

export function buildSchedule(cfg: ScheduleConfig | undefined, optimizer: Optimizer<ParamGroup>, ctx: ScheduleContext): LRSchedule | undefined {
  if (!cfg) return undefined;
  switch (cfg.name) {
    case 'one-cycle':
      return new OneCycleLR(optimizer, {
        maxLr: cfg.maxLr ?? ctx.lr, epochs: ctx.epochs, stepsPerEpoch: ctx.stepsPerEpoch,
        ...(cfg.pctStart !== undefined ? { pctStart: cfg.pctStart } : {}),
      });
    case 'cosine':
      return new CosineAnnealingLR(optimizer, { tMax: cfg.tMax ?? ctx.epochs, etaMin: cfg.etaMin ?? 0 });
    case 'step':
      return new StepLR(optimizer, { stepSize: cfg.stepSize!, gamma: cfg.gamma ?? 0.1 });
    case 'plateau':
      return new ReduceLROnPlateau(optimizer, { mode: 'min', factor: cfg.factor ?? 0.1, patience: cfg.patience ?? 2 });
    case 'warmup-cosine': {
      const warm = cfg.warmupEpochs!;
      return new SequentialLR(optimizer, {
        schedulers: [
          new LinearLR(optimizer, { startFactor: 0.1, endFactor: 1, totalIters: warm }),
          new CosineAnnealingLR(optimizer, { tMax: ctx.epochs - warm, etaMin: cfg.etaMin ?? 0 }),
        ],
        milestones: [warm],
      });
    }
  }
}
