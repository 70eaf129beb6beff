import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPlacement } from './commands/placement.js';

describe('virtkit placement', () => {
  it('prints the holdings by domain, then what each node has held', () => {
    const text = formatPlacement({
      holdings: [
        { domain: 'other', cpus: [1, 2, 3, 33, 34, 35], memory: [{ node: 0, kiB: 1048576 }], hugepages: [] },
        { domain: 'vnf', cpus: [17, 18, 49, 50], memory: [], hugepages: [{ node: 2, sizeKiB: 2048, pages: 2048 }] },
      ],
      nodes: [
        { node: 0, cpus: [0, 1, 2, 3, 32, 33, 34, 35], heldCpus: [1, 2, 3, 33, 34, 35], memoryKiB: 1048576, hugepages: [] },
        { node: 2, cpus: [16, 17, 18, 19, 48, 49, 50, 51], heldCpus: [17, 18, 49, 50], memoryKiB: 0, hugepages: [{ sizeKiB: 2048, pages: 2048 }] },
      ],
    });
    assert.equal(text, [
      ' Domain   CPUs          Memory            Huge pages',
      '------------------------------------------------------------------',
      ' other    1-3,33-35     1 GiB on node 0   -',
      ' vnf      17-18,49-50   -                 2048 x 2 MiB on node 2',
      '',
      ' Node   CPUs          Held CPUs     Held memory   Held huge pages',
      '-------------------------------------------------------------------',
      ' 0      0-3,32-35     1-3,33-35     1 GiB         -',
      ' 2      16-19,48-51   17-18,49-50   -             2048 x 2 MiB',
    ].join('\n'));
  });
});
