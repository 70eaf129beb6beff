import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { checkIfName, ifNameProblem, isGeneratedTapName, nextVnetName } from './link-names.js';

describe('interface names', () => {
  it('accepts up to 15 bytes and refuses 16', () => {
    assert.equal(ifNameProblem('a'.repeat(15)), undefined);
    assert.match(ifNameProblem('a'.repeat(16)) ?? '', /16 bytes long; the kernel allows at most 15/);
    // Bytes, not characters: 8 two-byte characters are 16 bytes.
    assert.match(ifNameProblem('é'.repeat(8)) ?? '', /16 bytes/);
  });

  it("refuses '/', ':', whitespace, control characters, empty and dot names", () => {
    for (const bad of ['a/b', 'eth0:1', 'a b', 'a\tb', 'a\nb', 'a\x01', '', '.', '..']) {
      assert.notEqual(ifNameProblem(bad), undefined, JSON.stringify(bad));
    }
    for (const good of ['vnet0', 'br-test.10', 'tap_x-1', 'veth@x']) assert.equal(ifNameProblem(good), undefined, good);
  });

  it('throws IFACE_NAME_INVALID naming what the name is for', () => {
    assert.throws(() => checkIfName('a-very-long-tap-name', "<target dev>"), (e: unknown) =>
      e instanceof VirtkitError && e.code === 'IFACE_NAME_INVALID' && /^<target dev> 'a-very-long-tap-name'/.test(e.message)
      && e.details?.['name'] === 'a-very-long-tap-name');
  });

  it('knows the names it generates', () => {
    assert.equal(isGeneratedTapName('vnet12'), true);
    assert.equal(isGeneratedTapName('vnet'), false);
    assert.equal(isGeneratedTapName('vnet1a'), false);
    assert.equal(isGeneratedTapName('myvnet1'), false);
  });
});

describe('nextVnetName', () => {
  it('starts at vnet0 and skips names in use', () => {
    assert.deepEqual(nextVnetName(new Set()), { name: 'vnet0', index: 0 });
    assert.deepEqual(nextVnetName(new Set(['vnet0', 'vnet1', 'vnet3'])), { name: 'vnet2', index: 2 });
  });

  it('counts on from the last name handed out rather than reusing a freed one', () => {
    assert.deepEqual(nextVnetName(new Set(), 4), { name: 'vnet5', index: 5 });
    assert.deepEqual(nextVnetName(new Set(['vnet5']), 4), { name: 'vnet6', index: 6 });
  });

  it('wraps at the limit and fails when every name is taken', () => {
    assert.deepEqual(nextVnetName(new Set(['vnet0']), 3, 4), { name: 'vnet1', index: 1 });
    assert.throws(() => nextVnetName(new Set(['vnet0', 'vnet1']), 0, 2), (e: unknown) => e instanceof VirtkitError && e.code === 'IFACE_EXISTS');
  });
});
