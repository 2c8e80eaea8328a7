# Computes the PyTorch reference numbers that test/optim/*.test.ts compare against and
# writes them to test/optim/reference-values.ts. Run once with Debian's PyTorch 1.13:
#   /usr/bin/python3 test/optim/make-reference.py > test/optim/reference-values.ts
# The tests themselves never need Python.
import json
import math
import torch

torch.set_default_dtype(torch.float64)

# The fixed problem: a tiny linear regression, loss = mean((X W^T + b - Y)^2).
X = torch.tensor([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.5, 0.3, 0.7], [2.0, 1.0, 1.0]])
Y = torch.tensor([[1.0, -1.0], [0.0, 2.0], [0.5, 0.5], [-2.0, 1.0]])
W0 = [[0.1, -0.2, 0.3], [0.0, 0.4, -0.1]]
B0 = [0.05, -0.05]


def run(make_opt, steps=5, drop_b_grad_at=()):
    W = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make_opt(W, b)
    out = []
    for i in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = ((X @ W.T + b - Y) ** 2).mean()
        loss.backward()
        if i in drop_b_grad_at:
            b.grad = None
        opt.step()
        out.append(W.detach().flatten().tolist() + b.detach().tolist())
    return out


O = torch.optim
optimizers = {
    'sgd': lambda W, b: O.SGD([W, b], lr=0.1),
    'sgdMomentum': lambda W, b: O.SGD([W, b], lr=0.1, momentum=0.9),
    'sgdDampeningWeightDecay': lambda W, b: O.SGD([W, b], lr=0.1, momentum=0.9, dampening=0.5, weight_decay=0.1),
    'sgdNesterov': lambda W, b: O.SGD([W, b], lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    'sgdMaximize': lambda W, b: O.SGD([W, b], lr=0.01, momentum=0.5, maximize=True),
    'sgdGroups': lambda W, b: O.SGD([{'params': [W], 'lr': 0.1}, {'params': [b], 'lr': 0.01, 'weight_decay': 0.5}], lr=0.2, momentum=0.9),
    'adam': lambda W, b: O.Adam([W, b], lr=0.1),
    'adamAmsgradWeightDecay': lambda W, b: O.Adam([W, b], lr=0.1, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
    'adamGroups': lambda W, b: O.Adam([{'params': [W], 'lr': 0.1}, {'params': [b], 'lr': 0.01, 'eps': 1e-3}]),
    'adamw': lambda W, b: O.AdamW([W, b], lr=0.1),
    'adamwAmsgrad': lambda W, b: O.AdamW([W, b], lr=0.1, weight_decay=0.05, amsgrad=True, eps=1e-6),
    'rmsprop': lambda W, b: O.RMSprop([W, b], lr=0.01),
    'rmspropMomentum': lambda W, b: O.RMSprop([W, b], lr=0.01, momentum=0.9),
    'rmspropCenteredMomentumWeightDecay': lambda W, b: O.RMSprop([W, b], lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
    'rmspropCentered': lambda W, b: O.RMSprop([W, b], lr=0.02, centered=True),
    'adadelta': lambda W, b: O.Adadelta([W, b]),
    'adadeltaWeightDecay': lambda W, b: O.Adadelta([W, b], lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1),
    'adagrad': lambda W, b: O.Adagrad([W, b], lr=0.1),
    'adagradDecayAccumulator': lambda W, b: O.Adagrad([W, b], lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5),
}
optimizer_refs = {name: run(make) for name, make in optimizers.items()}
# b has no gradient at steps 2 and 3, so its step count falls behind W's.
optimizer_refs['adamSkippedGrads'] = run(lambda W, b: O.Adam([W, b], lr=0.1), drop_b_grad_at=(1, 2))
optimizer_refs['adagradSkippedGrads'] = run(lambda W, b: O.Adagrad([W, b], lr=0.1, lr_decay=0.5), drop_b_grad_at=(1, 2))


# ---- schedules: learning rates (and momentum) after construction and after each step ----
def two_groups(kind='sgd'):
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(2, requires_grad=True)
    groups = [{'params': [p1]}, {'params': [p2], 'lr': 0.05}]
    if kind == 'adam':
        return O.Adam(groups, lr=0.1)
    return O.SGD(groups, lr=0.1, momentum=0.9)


def lr_sequence(make_sched, steps=20, kind='sgd', metrics=None, momentum=False):
    opt = two_groups(kind)
    sched = make_sched(opt)
    def snapshot():
        if momentum:
            key = 'betas' if kind == 'adam' else 'momentum'
            return [g[key][0] if kind == 'adam' else g[key] for g in opt.param_groups]
        return list(sched.get_last_lr()) if metrics is None else [g['lr'] for g in opt.param_groups]
    seq = [snapshot()]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append(snapshot())
    return seq


S = O.lr_scheduler
plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.5, 0.5, 0.6, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
plateau_max_metrics = [0.1, 0.2, 0.25, 0.26, 0.27, 0.2, 0.4, 0.41, 0.4, 0.39, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
schedules = {
    'stepLR': lr_sequence(lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
    'multiStepLR': lr_sequence(lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.1)),
    'cosineAnnealingLR': lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=0.001)),
    'oneCycleCos': lr_sequence(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20), steps=19),
    'oneCycleCosMomentum': lr_sequence(lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20), steps=19, momentum=True),
    'oneCycleLinearThreePhase': lr_sequence(lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20, pct_start=0.25, anneal_strategy='linear', three_phase=True, div_factor=10.0, final_div_factor=100.0), steps=19, kind='adam'),
    'oneCycleLinearThreePhaseBeta1': lr_sequence(lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20, pct_start=0.25, anneal_strategy='linear', three_phase=True, div_factor=10.0, final_div_factor=100.0), steps=19, kind='adam', momentum=True),
    'linearLR': lr_sequence(lambda o: S.LinearLR(o, start_factor=0.25, total_iters=4)),
    'sequentialWarmupCosine': lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=15)], milestones=[5])),
    'sequentialWarmupStep': lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=3), S.StepLR(o, step_size=4, gamma=0.5)], milestones=[3])),
    'lambdaLR': lr_sequence(lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)),
    'lambdaLRPerGroup': lr_sequence(lambda o: S.LambdaLR(o, [lambda e: 1.0 / (1 + e), lambda e: 0.5 if e % 2 else 1.0])),
    'reduceLROnPlateauMin': lr_sequence(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.1, cooldown=1, min_lr=0.01), metrics=plateau_metrics),
    'reduceLROnPlateauMaxAbs': lr_sequence(lambda o: S.ReduceLROnPlateau(o, mode='max', factor=0.1, patience=1, threshold=0.05, threshold_mode='abs', min_lr=[0.0, 0.004]), metrics=plateau_max_metrics),
}

print('// GENERATED by test/optim/make-reference.py with PyTorch ' + torch.__version__ + ' (/usr/bin/python3).')
print('// Regenerate: /usr/bin/python3 test/optim/make-reference.py > test/optim/reference-values.ts')
print('// Problem: X, Y, W0, B0 below; loss = mean((X W^T + b - Y)^2), float64; each row is W (row-major) then b after a step.')
print('export const X = ' + json.dumps(X.tolist()) + ';')
print('export const Y = ' + json.dumps(Y.tolist()) + ';')
print('export const W0 = ' + json.dumps(W0) + ';')
print('export const B0 = ' + json.dumps(B0) + ';')
print('export const plateauMetrics = ' + json.dumps(plateau_metrics) + ';')
print('export const plateauMaxMetrics = ' + json.dumps(plateau_max_metrics) + ';')
print('export const optimizerRefs: Record<string, number[][]> = {')
for name, rows in optimizer_refs.items():
    print(f'  {name}: [')
    for r in rows:
        print('    [' + ', '.join(repr(v) for v in r) + '],')
    print('  ],')
print('};')
print('/** Per group: learning rate (or momentum / beta1 for the *Momentum and *Beta1 entries) after construction, then after each step. */')
print('export const scheduleRefs: Record<string, number[][]> = {')
for name, rows in schedules.items():
    print(f'  {name}: [' + ', '.join('[' + ', '.join(repr(float(v)) for v in r) + ']' for r in rows) + '],')
print('};')
