import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainInfo } from '../client/types.js';
import { fields, table, virshOrder } from './format.js';

describe('virsh output shapes', () => {
  it('draws tables exactly as virsh 9.0 does', () => {
    // From virsh-output-samples.txt (virsh -c test:///default).
    assert.equal(table(['Id', 'Name', 'State'], [['1', 'test', 'running']]),
      ' Id   Name   State\n----------------------\n 1    test   running');
    assert.equal(table(['Id', 'Name', 'State'], [['-', 'test', 'shut off']]),
      ' Id   Name   State\n-----------------------\n -    test   shut off');
    assert.equal(table(['Id', 'Name', 'State'], []), ' Id   Name   State\n--------------------');
    assert.equal(table(['Id', 'Name', 'State', 'Title'], [['1', 'test', 'running', '']]),
      ' Id   Name   State     Title\n------------------------------\n 1    test   running   ');
    assert.equal(table(['Name', 'State', 'Autostart', 'Persistent'], [['default', 'active', 'no', 'yes']]),
      ' Name      State    Autostart   Persistent\n--------------------------------------------\n default   active   no          yes');
  });

  it('pads by characters (code points), whether a cell or its header is the widest', () => {
    // 'é' is one UTF-16 unit, '𝒳' (U+1D4B3) two: both one column, as [...s].length counts them.
    assert.equal(table(['Name', 'Path'], [['é𝒳', '/a'], ['b', '/𝒳𝒳𝒳𝒳𝒳']]),
      ' Name   Path\n----------------\n é𝒳     /a\n b      /𝒳𝒳𝒳𝒳𝒳');
    assert.equal(table(['N', 'P'], [['𝒳𝒳𝒳𝒳𝒳𝒳', 'x'], ['ab', 'y']]),
      ' N        P\n-------------\n 𝒳𝒳𝒳𝒳𝒳𝒳   x\n ab       y');
  });

  it('pads fields like printf %-15s', () => {
    assert.equal(fields(15, [['Id:', '1'], ['Security DOI:', '']]), 'Id:             1\nSecurity DOI:   ');
    assert.equal(fields(20, [['CPU model:', 'i686']]), 'CPU model:           i686');
  });

  it('orders running domains by id, then the rest by name without case', () => {
    const d = (name: string, id: number | null) => ({ name, id }) as DomainInfo;
    assert.deepEqual(virshOrder([d('b', null), d('x', 3), d('A', null), d('y', 1)]).map((x) => x.name), ['y', 'x', 'A', 'b']);
  });
});
