import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeTopology } from '../../../tests/helpers/fake-sysfs.js';
import { summarizeTopology } from './summary.js';

test('summary: nodes, sockets per node, cores per socket, threads per core', () => {
  assert.deepEqual(summarizeTopology(fakeTopology({ nodes: 4, cores: 8, threads: 2 })), { cpus: 64, nodes: 4, sockets: 1, dies: 1, cores: 8, threads: 2 });
  assert.deepEqual(summarizeTopology(fakeTopology({ nodes: 1, cores: 2, threads: 1 })), { cpus: 2, nodes: 1, sockets: 1, dies: 1, cores: 2, threads: 1 });
});

test('summary: two dies per socket count as dies, not cores', () => {
  const t = fakeTopology({ nodes: 1, cores: 4, threads: 1 });
  const cpus = t.cpus.map((c) => ({ ...c, die: c.core < 2 ? 0 : 1, core: c.core % 2 }));
  assert.deepEqual(summarizeTopology({ ...t, cpus }), { cpus: 4, nodes: 1, sockets: 1, dies: 2, cores: 2, threads: 1 });
});

test("summary: memory-only nodes are not counted; an uneven host is flat, as libvirt's", () => {
  const t = fakeTopology({ nodes: 2, cores: 2, threads: 1 });
  const memOnly = { cpus: t.cpus.filter((c) => c.node === 0), nodes: t.nodes.map((n) => (n.id === 1 ? { ...n, cpus: [] } : n)) };
  assert.deepEqual(summarizeTopology(memOnly), { cpus: 2, nodes: 1, sockets: 1, dies: 1, cores: 2, threads: 1 });
  const u = fakeTopology({ nodes: 1, cores: 2, threads: 2 });
  assert.deepEqual(summarizeTopology({ ...u, cpus: u.cpus.filter((c) => c.id !== 3) }), { cpus: 3, nodes: 1, sockets: 1, dies: 1, cores: 3, threads: 1 });
  assert.deepEqual(summarizeTopology({ cpus: [], nodes: [] }), { cpus: 0, nodes: 1, sockets: 1, dies: 1, cores: 1, threads: 1 });
});
