// Two "machines" on one: the test makes two network namespaces joined by a veth pair,
// each with its own address, and runs one rank in each, so the rendezvous and Gloo's
// traffic cross a real (virtual) link between hosts rather than the loopback device.
// Needs root (CAP_NET_ADMIN) and iproute2; skipped without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './fixtures/processes.js';
import { trainSingle, maxAbsDiff } from './fixtures/tiny-training.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'train-rank.js');
const tag = `vl${process.pid % 100000}`;
const hosts = [0, 1].map((i) => ({ ns: `${tag}h${i}`, dev: `${tag}v${i}`, addr: `10.231.${process.pid % 250}.${i + 1}` }));

function ip(...args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

function makeHosts(): boolean {
  if (process.getuid?.() !== 0) return false;
  if (!ip('netns', 'add', hosts[0]!.ns)) return false;
  return ip('netns', 'add', hosts[1]!.ns)
    && ip('link', 'add', hosts[0]!.dev, 'type', 'veth', 'peer', 'name', hosts[1]!.dev)
    && hosts.every((h) => ip('link', 'set', h.dev, 'netns', h.ns)
      && ip('-n', h.ns, 'addr', 'add', `${h.addr}/24`, 'dev', h.dev)
      && ip('-n', h.ns, 'link', 'set', h.dev, 'up')
      && ip('-n', h.ns, 'link', 'set', 'lo', 'up'));
}

function removeHosts(): void {
  for (const h of hosts) ip('netns', 'del', h.ns);  // deleting a namespace removes its veth end
}

test('two hosts in network namespaces train to the weights of one process', async (t) => {
  try {
    if (!makeHosts()) return t.skip('needs root and iproute2 to make network namespaces');
    const dir = mkdtempSync(path.join(tmpdir(), 'visionlab-hosts-'));
    // Fresh namespaces have no other listeners, so a fixed port is free in both.
    const runs = hosts.map((h, rank) => runCommand('ip', [
      'netns', 'exec', h.ns, process.execPath, worker, String(rank), '2', '29517', 'ddp', '25', path.join(dir, `${rank}.json`),
    ], { MASTER_ADDR: hosts[0]!.addr, GLOO_SOCKET_IFNAME: h.dev }));
    const finished = await Promise.all(runs.map((r) => r.done));
    finished.forEach((f, rank) => assert.equal(f.code, 0, `rank ${rank} failed:\n${f.output}`));
    const r0 = JSON.parse(readFileSync(path.join(dir, '0.json'), 'utf8'));
    const diff = maxAbsDiff(r0.weights, trainSingle('ddp').weights);
    assert.ok(diff <= 1e-5, `max abs weight difference to the single process: ${diff}`);
  } finally {
    removeHosts();
  }
});
