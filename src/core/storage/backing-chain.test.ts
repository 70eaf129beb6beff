import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildQcow2, memorySource, type BuildOptions } from '../../../tests/helpers/qcow2-build.js';
import { isVirtkitError } from '../errors.js';
import { walkBackingChain, type ChainReader } from './backing-chain.js';
import { readQcow2 } from './qcow2-read.js';

const refused = (code: string, re: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === code && re.test(e.message);

/** Images by path (qcow2 only: the walker must never ask for anything else); records what it was asked. */
function images(files: Record<string, BuildOptions>, identity: (p: string) => string = (p) => p): ChainReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async readQcow2(path) {
      asked.push(path);
      const o = files[path];
      if (o === undefined) throw new Error(`test: no image at ${path}`);
      return { identity: identity(path), info: await readQcow2(memorySource(buildQcow2(o))) };
    },
  };
}

describe('backing chains', () => {
  test('a raw disk that starts with a qcow2 header naming /etc/shadow is a chain of one, never read', async () => {
    const r = images({});
    const chain = await walkBackingChain({ path: '/pool/disk.img', format: 'raw' }, r);
    assert.deepEqual(chain.map((l) => [l.path, l.format, l.qcow2]), [['/pool/disk.img', 'raw', undefined]]);
    assert.deepEqual(r.asked, []);
  });

  test('qcow2 -> qcow2 -> raw with recorded formats; relative names resolve against the naming image', async () => {
    const r = images({
      '/pool/top.qcow2': { backingFile: 'sub/mid.qcow2', backingFormat: 'qcow2' },
      '/pool/sub/mid.qcow2': { backingFile: '../base/./base.raw', backingFormat: 'raw' },
    });
    const chain = await walkBackingChain({ path: '/pool/top.qcow2', format: 'qcow2' }, r);
    assert.deepEqual(chain.map((l) => [l.path, l.format, l.formatFrom]), [
      ['/pool/top.qcow2', 'qcow2', 'caller'],
      ['/pool/sub/mid.qcow2', 'qcow2', 'image'],
      ['/pool/base/base.raw', 'raw', 'image'],
    ]);
    assert.deepEqual(r.asked, ['/pool/top.qcow2', '/pool/sub/mid.qcow2']);
  });

  test('no recorded format and none given: refused before the backing file is read', async () => {
    const r = images({ '/p/top.qcow2': { backingFile: '/p/base.qcow2' }, '/p/base.qcow2': {} });
    await assert.rejects(walkBackingChain({ path: '/p/top.qcow2', format: 'qcow2' }, r), refused('BACKING_FORMAT_MISSING', /never guesses/));
    assert.deepEqual(r.asked, ['/p/top.qcow2']);
    const chain = await walkBackingChain({ path: '/p/top.qcow2', format: 'qcow2' }, r, { backingFormats: ['qcow2'] });
    assert.deepEqual(chain.map((l) => l.formatFrom), ['caller', 'declared']);
  });

  test('a recorded format that differs from the one given is refused', async () => {
    const r = images({ '/p/top.qcow2': { backingFile: 'base', backingFormat: 'raw' } });
    await assert.rejects(walkBackingChain({ path: '/p/top.qcow2', format: 'qcow2' }, r, { backingFormats: ['qcow2'] }), refused('BACKING_FORMAT_MISMATCH', /recorded as 'raw' but given as 'qcow2'/));
  });

  test('loops: an image naming itself, and two names of one file', async () => {
    const self = images({ '/p/a.qcow2': { backingFile: 'a.qcow2', backingFormat: 'qcow2' } });
    await assert.rejects(walkBackingChain({ path: '/p/a.qcow2', format: 'qcow2' }, self), refused('BACKING_CHAIN_LOOP', /\/p\/a.qcow2 -> \/p\/a.qcow2/));
    const linked = images(
      { '/p/a.qcow2': { backingFile: 'b.qcow2', backingFormat: 'qcow2' }, '/p/b.qcow2': { backingFile: 'link-to-a', backingFormat: 'qcow2' }, '/p/link-to-a': { backingFile: 'b.qcow2', backingFormat: 'qcow2' } },
      (p) => (p === '/p/link-to-a' ? '/p/a.qcow2' : p),
    );
    await assert.rejects(walkBackingChain({ path: '/p/a.qcow2', format: 'qcow2' }, linked), refused('BACKING_CHAIN_LOOP', /link-to-a/));
  });

  test('depth: 64 backing files are walked, 65 are refused', async () => {
    const files: Record<string, BuildOptions> = {};
    for (let i = 0; i < 70; i++) files[`/p/${i}.qcow2`] = { backingFile: `${i + 1}.qcow2`, backingFormat: 'qcow2' };
    files['/p/64.qcow2'] = {};
    const ok = await walkBackingChain({ path: '/p/0.qcow2', format: 'qcow2' }, images(files));
    assert.equal(ok.length, 65);
    files['/p/64.qcow2'] = { backingFile: '65.qcow2', backingFormat: 'qcow2' };
    const r = images(files);
    await assert.rejects(walkBackingChain({ path: '/p/0.qcow2', format: 'qcow2' }, r), refused('BACKING_CHAIN_TOO_DEEP', /deeper than 64/));
    assert.equal(r.asked.includes('/p/65.qcow2'), false);
    await assert.rejects(walkBackingChain({ path: '/p/0.qcow2', format: 'qcow2' }, images(files), { maxDepth: 3 }), refused('BACKING_CHAIN_TOO_DEEP', /deeper than 3/));
  });

  test('protocol names are not followed', async () => {
    for (const name of ['json:{"file.driver":"file","file.filename":"/etc/shadow"}', 'nbd://host/x', 'file:/etc/shadow']) {
      await assert.rejects(walkBackingChain({ path: '/p/t', format: 'qcow2' }, images({ '/p/t': { backingFile: name, backingFormat: 'raw' } })), refused('IMAGE_UNSUPPORTED', /protocol name/));
    }
  });

  test('the policy refuses a backing or data file before anything reads it', async () => {
    const allow = (p: string): true | string => (p.startsWith('/pool/') ? true : 'outside every pool');
    const r = images({ '/pool/t.qcow2': { backingFile: '/etc/shadow', backingFormat: 'qcow2' } });
    await assert.rejects(walkBackingChain({ path: '/pool/t.qcow2', format: 'qcow2' }, r, { allow }), refused('BACKING_NOT_ALLOWED', /\/etc\/shadow is not allowed: outside every pool/));
    assert.deepEqual(r.asked, ['/pool/t.qcow2']);
    const d = images({ '/pool/d.qcow2': { dataFile: '../../etc/shadow', incompatible: 4n } });
    await assert.rejects(walkBackingChain({ path: '/pool/d.qcow2', format: 'qcow2' }, d, { allow }), refused('BACKING_NOT_ALLOWED', /data file \/etc\/shadow/));
  });

  test('formats that may have their own backing file are not walked; bad format words are refused', async () => {
    await assert.rejects(walkBackingChain({ path: '/p/x.vmdk', format: 'vmdk' }, images({})), refused('IMAGE_UNSUPPORTED', /'vmdk' may have a backing file/));
    await assert.rejects(walkBackingChain({ path: '/p/t', format: 'qcow2' }, images({ '/p/t': { backingFile: 'b', backingFormat: 'vmdk' } })), refused('IMAGE_UNSUPPORTED', /vmdk/));
    await assert.rejects(walkBackingChain({ path: '/p/x', format: 'Raw,x' }, images({})), refused('INVALID_ARGUMENT', /not an image format/));
    await assert.rejects(walkBackingChain({ path: 'rel/x', format: 'raw' }, images({})), refused('INVALID_ARGUMENT', /not absolute/));
  });
});
