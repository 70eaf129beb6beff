// --cloud-init: the seed's files byte for byte as virt-install 4.1 writes them (virtinst/install/
// cloudinit.py as of 4.1.0; the cloud-init-options2 output of its test suite, from the commit that added
// clouduser-ssh-key=, shows the same user-data), and the refusals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtkitError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import { BARE_DEFAULT_WARNING, CLOUD_INIT_KEYS, cloudInitFilePaths, parseCloudInitOptions } from './cloud-init-options.js';
import { cloudInitIsoName, cloudInitSeed } from './cloud-init.js';
import type { CloudInitFiles, RandomInt } from './cloud-init.js';
import type { SubOption } from './types.js';

/** `a=b,c` as the sub-option splitter gives it (values here have no commas or quotes). */
const subs = (text: string): SubOption[] => text === '' ? [] : text.split(',').map((t) => {
  const eq = t.indexOf('=');
  return eq < 0 ? { key: t, value: null } : { key: t.slice(0, eq), value: t.slice(eq + 1) };
});
const files = (o: Record<string, string | Uint8Array>): CloudInitFiles =>
  new Map(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
/** A random source that gives 0, 1, 2... (so the password is the alphabet's start) and records its bounds. */
function counting(): RandomInt & { bounds: number[] } {
  let i = 0;
  const bounds: number[] = [];
  const f = (bound: number) => {
    bounds.push(bound);
    return i++ % bound;
  };
  return Object.assign(f, { bounds });
}
const never: RandomInt = () => {
  throw new Error('no password should be generated here');
};
const refuses = (fn: () => unknown, code: ErrorCode, message: RegExp | string) => assert.throws(fn, (e: unknown) => {
  assert.ok(e instanceof VirtkitError, String(e));
  assert.equal(e.code, code);
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message, message);
  return true;
});

// The key of the shared virt-install case 18 (files/id_ed25519.pub).
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKWiMF3b9XTaM+Ln6jEMwQPHs1HWflg17Ma9OYFAWn7B ops@example';
const KEY2 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBYcQftiMEl/36wRFzyuTWITIYzO8ZTP+BJIZq0ORjX/ dev@example';
const DISABLE = 'runcmd:\n- echo "Disabled by virt-install" > /etc/cloud/cloud-init.disabled\n';

describe('--cloud-init seed content (virt-install 4.1)', () => {
  it('bare --cloud-init: a generated 16-character root password that expires, cloud-init disabled afterwards, empty meta-data', () => {
    const rand = counting();
    const s = cloudInitSeed([], files({}), rand);
    assert.equal(s.generatedRootPassword, 'abcdefghijklmnop');
    assert.deepEqual(rand.bounds, Array(16).fill(62)); // string.ascii_letters + string.digits
    assert.equal(s.userData, `#cloud-config\nchpasswd:\n  list: |\n    root:abcdefghijklmnop\n  expire: True\n${DISABLE}`);
    assert.equal(s.metaData, '');
    assert.equal(s.networkConfig, null);
    assert.deepEqual(s.warnings, [BARE_DEFAULT_WARNING]);
  });

  it('the password uses the whole alphabet: letters of both cases and digits', () => {
    const picks = [0, 25, 26, 51, 52, 61, 9, 35, 60, 1, 2, 3, 4, 5, 6, 7];
    const s = cloudInitSeed(subs('root-password-generate=on'), files({}), () => picks.shift() ?? 0);
    assert.equal(s.generatedRootPassword, 'azAZ09jJ8bcdefgh');
    assert.equal(s.userData, '#cloud-config\nchpasswd:\n  list: |\n    root:azAZ09jJ8bcdefgh\n  expire: True\n');
    assert.deepEqual(s.warnings, []);
  });

  it('case 18 (root-password-generate=on,root-ssh-key=FILE): the key for root as 4.1 writes it, no runcmd', () => {
    const s = cloudInitSeed(subs('root-password-generate=on,root-ssh-key=/k.pub'), files({ '/k.pub': `${KEY}\n` }), counting());
    assert.equal(s.userData, '#cloud-config\nchpasswd:\n  list: |\n    root:abcdefghijklmnop\n  expire: True\n' +
      `users:\n  - name: root\n    ssh-authorized-keys:\n      - ${KEY}\n`);
  });

  it('root-password-file: its first line as it is (spaces kept, CRLF or CR ends it), expire: False, nothing generated', () => {
    for (const text of ['  pass word \r\nsecond line\r\n', '  pass word \rsecond', '  pass word ']) {
      const s = cloudInitSeed(subs('root-password-file=/pw,disable=on'), files({ '/pw': text }), never);
      assert.equal(s.userData, `#cloud-config\nchpasswd:\n  list: |\n    root:  pass word \n  expire: False\n${DISABLE}`);
      assert.equal(s.generatedRootPassword, null);
    }
  });

  it('root-password-file with root-password-generate=on: the file\'s password, expire: True (as 4.1), none generated', () => {
    const s = cloudInitSeed(subs('root-password-generate=on,root-password-file=/pw'), files({ '/pw': 'pw1\n' }), never);
    assert.equal(s.userData, '#cloud-config\nchpasswd:\n  list: |\n    root:pw1\n  expire: True\n');
    assert.equal(s.generatedRootPassword, null);
  });

  it('clouduser-ssh-key: a users: entry without a name (cloud-init gives it to the default user), the first line only', () => {
    const s = cloudInitSeed(subs('clouduser-ssh-key=/u.pub'), files({ '/u.pub': `${KEY2}\n${KEY}\n` }), never);
    assert.equal(s.userData, `#cloud-config\nusers:\n  - ssh-authorized-keys: ${KEY2}\n`);
  });

  it('root-password-file, root-ssh-key, clouduser-ssh-key, disable: 4.1\'s order (as its cloud-init-options2 test output)', () => {
    const s = cloudInitSeed(subs('root-ssh-key=/r.pub,clouduser-ssh-key=/u.pub,disable=yes,root-password-file=/pw'),
      files({ '/r.pub': KEY, '/u.pub': KEY2, '/pw': 'pw\n' }), never);
    assert.equal(s.userData, '#cloud-config\nchpasswd:\n  list: |\n    root:pw\n  expire: False\n' +
      `users:\n  - name: root\n    ssh-authorized-keys:\n      - ${KEY}\n  - ssh-authorized-keys: ${KEY2}\n${DISABLE}`);
  });

  it('ssh-key= is the old name of root-ssh-key=', () => {
    const a = cloudInitSeed(subs('ssh-key=/k'), files({ '/k': KEY }), never);
    const b = cloudInitSeed(subs('root-ssh-key=/k'), files({ '/k': KEY }), never);
    assert.equal(a.userData, b.userData);
    assert.equal(a.userData, `#cloud-config\nusers:\n  - name: root\n    ssh-authorized-keys:\n      - ${KEY}\n`);
  });

  it('on/off words as virt-install takes them, any case; disable=off alone leaves a bare #cloud-config', () => {
    for (const on of ['on', 'YES', 'y', 'True', 't', '1']) assert.equal(parseCloudInitOptions(subs(`disable=${on}`)).disable, true);
    for (const off of ['off', 'No', 'n', 'false', 'F', '0']) assert.equal(parseCloudInitOptions(subs(`disable=${off}`)).disable, false);
    const s = cloudInitSeed(subs('disable=off'), files({}), never);
    assert.equal(s.userData, '#cloud-config\n');
    assert.deepEqual(s.warnings, []);
  });

  it('user-data=, meta-data=, network-config=: the files as they are, but for universal newlines (CRLF and CR become LF)', () => {
    const ud = '#cloud-config\r\npackages: [htop]\rruncmd:\n  - [touch, /x]\n';
    const s = cloudInitSeed(subs('user-data=/ud,meta-data=/md,network-config=/nc'),
      files({ '/ud': ud, '/md': 'instance-id: i-1\nlocal-hostname: vm1\n', '/nc': 'version: 2\r\nethernets: {}\r\n' }), never);
    assert.equal(s.userData, '#cloud-config\npackages: [htop]\nruncmd:\n  - [touch, /x]\n');
    assert.equal(s.metaData, 'instance-id: i-1\nlocal-hostname: vm1\n');
    assert.equal(s.networkConfig, 'version: 2\nethernets: {}\n');
    assert.equal(s.generatedRootPassword, null);
    assert.deepEqual(s.warnings, []);
  });

  it('a byte order mark and non-ASCII text are kept (Python reads utf-8, not utf-8-sig)', () => {
    const s = cloudInitSeed(subs('user-data=/ud'), files({ '/ud': '\uFEFF#cloud-config\nhostname: café\n' }), never);
    assert.equal(s.userData, '\uFEFF#cloud-config\nhostname: café\n');
  });

  it('an empty network-config file puts no network-config on the ISO (virt-install skips empty content)', () => {
    assert.equal(cloudInitSeed(subs('network-config=/nc,disable=on'), files({ '/nc': '' }), never).networkConfig, null);
  });

  it('user-data= with other user-data options: the file wins, as in virt-install, and a warning names what is ignored', () => {
    const s = cloudInitSeed(subs('root-password-generate=on,user-data=/ud,root-ssh-key=/k,disable=on'), files({ '/ud': '#cloud-config\n' }), never);
    assert.equal(s.userData, '#cloud-config\n');
    assert.equal(s.generatedRootPassword, null);
    assert.deepEqual(s.warnings, ['--cloud-init user-data= is used as it is: root-password-generate, root-ssh-key, disable ignored, as virt-install ignores them (put them in the user-data file)']);
  });
});

describe('--cloud-init ISO name', () => {
  it('virtinst-, 8 of Python tempfile\'s [a-z0-9_], -cloudinit.iso (as in the shared case 18)', () => {
    const picks = [0, 25, 26, 35, 36, 1, 2, 3];
    assert.equal(cloudInitIsoName((bound) => {
      assert.equal(bound, 37);
      return picks.shift() ?? 0;
    }), 'virtinst-az09_bcd-cloudinit.iso');
    assert.match(cloudInitIsoName(counting()), /^virtinst-[a-z0-9_]{8}-cloudinit\.iso$/);
  });
});

describe('--cloud-init files to read', () => {
  it('lists each named file once; with user-data= only the files virt-install reads', () => {
    assert.deepEqual(cloudInitFilePaths([]), []);
    assert.deepEqual(cloudInitFilePaths(subs('root-password-file=/a,root-ssh-key=/b,clouduser-ssh-key=/b,meta-data=/m,network-config=/n')), ['/a', '/b', '/m', '/n']);
    assert.deepEqual(cloudInitFilePaths(subs('root-password-file=/a,user-data=/u,meta-data=/m')), ['/u', '/m']);
  });
});

describe('--cloud-init refusals', () => {
  it('unknown keys: virt-install\'s message, then the valid keys', () => {
    refuses(() => parseCloudInitOptions(subs('disable=on,ssh-keys=/k,userdata=/u')), 'INVALID_ARGUMENT',
      `Unknown --cloud-init options: ['ssh-keys', 'userdata']; the valid ones are ${CLOUD_INIT_KEYS.join(', ')}`);
  });

  it('an on/off key with no value or another word', () => {
    refuses(() => parseCloudInitOptions(subs('disable')), 'INVALID_ARGUMENT', "--cloud-init disable must be 'yes' or 'no' (disable=on or disable=off)");
    refuses(() => parseCloudInitOptions(subs('root-password-generate=maybe')), 'INVALID_ARGUMENT', /root-password-generate must be 'yes' or 'no'/);
    refuses(() => parseCloudInitOptions(subs('disable=')), 'INVALID_ARGUMENT', /disable must be 'yes' or 'no'/);
  });

  it('a file key without a file, and a key given twice (also by its old name)', () => {
    refuses(() => parseCloudInitOptions(subs('user-data')), 'INVALID_ARGUMENT', '--cloud-init user-data needs a file: user-data=FILE');
    refuses(() => parseCloudInitOptions(subs('meta-data=')), 'INVALID_ARGUMENT', '--cloud-init meta-data needs a file: meta-data=FILE');
    refuses(() => parseCloudInitOptions(subs('disable=on,disable=off')), 'INVALID_ARGUMENT', '--cloud-init gives disable more than once: give it once');
    refuses(() => parseCloudInitOptions(subs('ssh-key=/a,root-ssh-key=/b')), 'INVALID_ARGUMENT', /gives root-ssh-key more than once/);
  });

  it('a file that is not UTF-8, and a password or key file whose first line is empty', () => {
    refuses(() => cloudInitSeed(subs('user-data=/ud'), files({ '/ud': Uint8Array.of(0x23, 0xff, 0x0a) }), never), 'INVALID_ARGUMENT',
      '--cloud-init user-data=/ud: the file is not UTF-8 text; save it as UTF-8');
    refuses(() => cloudInitSeed(subs('root-password-file=/pw'), files({ '/pw': '\nsecond' }), never), 'INVALID_ARGUMENT',
      "--cloud-init root-password-file=/pw: the file's first line is empty; it must hold the password");
    refuses(() => cloudInitSeed(subs('clouduser-ssh-key=/k'), files({ '/k': '' }), never), 'INVALID_ARGUMENT', /clouduser-ssh-key=\/k: .* public key/);
  });

  it('a file the caller did not read, and a random source out of range, are the caller\'s bugs', () => {
    refuses(() => cloudInitSeed(subs('meta-data=/m'), files({}), never), 'INTERNAL_ERROR', /meta-data=\/m: the file was not read/);
    refuses(() => cloudInitSeed([], files({}), () => 62), 'INTERNAL_ERROR', /gave 62 for a number below 62/);
  });
});
