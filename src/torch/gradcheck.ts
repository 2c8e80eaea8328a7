// Finite-difference gradient check in float64, like torch.autograd.gradcheck: compares
// the analytical gradient of sum(fn(inputs) * probe) with central differences.
import { Tensor } from './tensor.js';
import { tidy } from './scope.js';
import { randn } from './creation.js';
import { grad, noGrad } from './autograd.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number }

export interface GradcheckFailure { input: number; element: number; analytical: number; numerical: number }

/**
 * Checks every element of every input that requires grad. Inputs must be float64.
 * Throws an error listing the worst mismatches; returns the number of elements checked.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): number {
  const eps = opts.eps ?? 1e-6, atol = opts.atol ?? 1e-5, rtol = opts.rtol ?? 1e-3;
  for (const [i, x] of inputs.entries()) {
    if (x.requiresGrad && x.dtype !== 'float64') throw new TypeError(`gradcheck: input ${i} is ${x.dtype}; use float64`);
  }
  return tidy(() => {
    const out0 = fn(...inputs);
    // A random probe makes the scalar objective sensitive to every output element.
    const probe = randn(out0.shape, { dtype: 'float64' });
    const objective = (): number => noGrad(() => tidy(() => fn(...inputs).mul(probe).sum().item()));
    const diffInputs = inputs.filter((x) => x.requiresGrad);
    const analytical = grad(out0.mul(probe).sum(), diffInputs, { allowUnused: true });
    const failures: GradcheckFailure[] = [];
    let checked = 0;
    diffInputs.forEach((x, k) => {
      const a = analytical[k] ? (analytical[k]!.contiguous().toTypedArray() as Float64Array) : new Float64Array(x.numel());
      const flat = noGrad(() => x.view(-1));
      for (let e = 0; e < x.numel(); e++) {
        const orig = noGrad(() => flat.select(0, e).item());
        noGrad(() => flat.select(0, e).fill_(orig + eps));
        const plus = objective();
        noGrad(() => flat.select(0, e).fill_(orig - eps));
        const minus = objective();
        noGrad(() => flat.select(0, e).fill_(orig));
        const numerical = (plus - minus) / (2 * eps);
        checked++;
        if (Math.abs(a[e]! - numerical) > atol + rtol * Math.abs(numerical)) {
          failures.push({ input: inputs.indexOf(x), element: e, analytical: a[e]!, numerical });
        }
      }
    });
    if (failures.length) {
      const worst = failures.slice(0, 5).map((f) => `input ${f.input}[${f.element}]: analytical ${f.analytical} vs numerical ${f.numerical}`);
      throw new Error(`gradcheck failed for ${failures.length}/${checked} elements:\n  ${worst.join('\n  ')}`);
    }
    return checked;
  });
}
