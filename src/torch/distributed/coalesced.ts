// Many small tensors sent as one message: a collective per tensor would pay the network's
// latency once per tensor (a model has dozens), so tensors are flattened into one buffer
// per dtype, sent, and copied back (torch.distributed's _broadcast_coalesced).
import type { Tensor } from '../tensor.js';
import { cat } from '../creation.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../scope.js';
import type { ProcessGroup } from './process-group.js';

/** Overwrites every tensor in place with root's values. */
export function broadcastCoalesced(group: ProcessGroup, tensors: readonly Tensor[], root = 0): void {
  if (group.worldSize === 1 || tensors.length === 0) return;
  const byKind = new Map<string, Tensor[]>();
  for (const t of tensors) {
    const kind = `${t.dtype}@${t.device}`;
    byKind.set(kind, [...(byKind.get(kind) ?? []), t]);
  }
  noGrad(() => tidy(() => {
    for (const members of byKind.values()) {
      const flat = cat(members.map((t) => t.reshape(-1)));
      group.broadcast(flat, root);
      let offset = 0;
      for (const t of members) {
        t.copy_(flat.narrow(0, offset, t.numel()).view(t.shape));
        offset += t.numel();
      }
    }
  }));
}
