import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../errors.js';
import { chainIndex, planBlockCommit } from './block-commit-plan.js';

// vda runs on s2, over s1, over root, over base (raw).
const chain = [
  { file: '/d/root.s2', format: 'qcow2' },
  { file: '/d/root.s1', format: 'qcow2' },
  { file: '/d/root.qcow2', format: 'qcow2' },
  { file: '/d/base.img', format: 'raw' },
];
const refused = (code: string, re: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === code && re.test(e.message);

test('images are named by path or by TARGET[N], the depth in the chain', () => {
  assert.equal(chainIndex(chain, 'vda', 'vda[0]'), 0);
  assert.equal(chainIndex(chain, 'vda', 'vda[2]'), 2);
  assert.equal(chainIndex(chain, 'vda', '/d/./root.s1'), 1);
  assert.equal(chainIndex(chain, 'vda', 'vdb[1]'), undefined, 'another disk\'s index');
  assert.equal(chainIndex(chain, 'vda', 'vda[4]'), undefined);
  assert.equal(chainIndex(chain, 'vda', '/d/root.s2', 1), undefined, 'only beneath `from`');
});

test('a non-active commit of a middle image: base defaults to the bottom, --shallow to the image right under top', () => {
  assert.deepEqual(planBlockCommit(chain, 'vda', { top: 'vda[1]' }), { top: 1, base: 3, active: false, finish: undefined, remove: [], backingName: undefined });
  assert.deepEqual(planBlockCommit(chain, 'vda', { top: '/d/root.s1', shallow: true, delete: true }), { top: 1, base: 2, active: false, finish: undefined, remove: ['/d/root.s1'], backingName: undefined });
  assert.deepEqual(planBlockCommit(chain, 'vda', { top: 'vda[1]', base: 'vda[3]', delete: true, keepRelative: true }).remove, ['/d/root.s1', '/d/root.qcow2']);
  assert.equal(planBlockCommit(chain, 'vda', { top: 'vda[1]', base: 'vda[2]', keepRelative: true }).backingName, 'root.qcow2');
});

test('an active commit needs --active; it ends with --pivot or --keep-overlay (both imply --active, as virsh) or waits ready', () => {
  assert.deepEqual(planBlockCommit(chain, 'vda', { pivot: true, shallow: true, delete: true }), { top: 0, base: 1, active: true, finish: 'pivot', remove: ['/d/root.s2'], backingName: undefined });
  assert.equal(planBlockCommit(chain, 'vda', { keepOverlay: true, base: 'vda[2]' }).finish, 'keep-overlay');
  assert.throws(() => planBlockCommit(chain, 'vda', {}), refused('INVALID_ARGUMENT', /requires --active/));
  assert.equal(planBlockCommit(chain, 'vda', { active: true }).finish, 'ready', 'a plain --active commit waits in its synchronized phase');
  assert.throws(() => planBlockCommit(chain, 'vda', { top: 'vda[1]', active: true }), refused('INVALID_ARGUMENT', /not the active image/));
  assert.throws(() => planBlockCommit(chain, 'vda', { pivot: true, keepOverlay: true }), refused('INVALID_ARGUMENT', /mutually exclusive/));
  assert.throws(() => planBlockCommit(chain, 'vda', { keepOverlay: true, delete: true }), refused('INVALID_ARGUMENT', /still uses/));
});

test('bad --top and --base are refused with IMAGE_NOT_IN_CHAIN before anything runs', () => {
  assert.throws(() => planBlockCommit(chain, 'vda', { top: '/d/other.qcow2' }), refused('IMAGE_NOT_IN_CHAIN', /could not find image '\/d\/other.qcow2' in the backing chain of disk 'vda'/));
  assert.throws(() => planBlockCommit(chain, 'vda', { top: 'vda[2]', base: 'vda[1]' }), refused('IMAGE_NOT_IN_CHAIN', /'vda\[1\]' beneath '\/d\/root.qcow2'/));
  assert.throws(() => planBlockCommit(chain, 'vda', { top: 'vda[1]', base: '/d/root.s1' }), refused('IMAGE_NOT_IN_CHAIN', /beneath/), 'base may not be top itself');
  assert.throws(() => planBlockCommit(chain, 'vda', { top: 'vda[3]' }), refused('OPERATION_INVALID', /no backing image/));
  assert.throws(() => planBlockCommit(chain, 'vda', { top: 'vda[1]', base: 'vda[3]', shallow: true }), refused('INVALID_ARGUMENT', /not immediately below/));
});
