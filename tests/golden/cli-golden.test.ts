/**
 * CLI-level golden test: every libvirt reference case goes through
 * `virtkit domxml-to-native qemu-argv FILE` (the real CLI, in-process, against
 * a real daemon with the real QEMU driver) and must give the command line the
 * in-process golden test (argv-golden.test.ts) gives, and libvirt's expected
 * one unless expected-differences.tsv lists the case.
 *
 * The only allowed differences are the run-time values domxml-to-native makes
 * up because nothing runs (docs/cli.md, domxml-to-native), where they differ
 * from what libvirt's test harness mocks. Each is named in DIFFERENCES with its
 * reason and the cases it shows in; the test maps it back to the harness value
 * before comparing, and fails when an unlisted difference appears or a listed
 * one no longer shows.
 *
 * The daemon reads its host facts (hugetlbfs mounts, NUMA nodes) from a small
 * fake /proc + /sys tree, so that the output does not depend on this machine.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { buildQemuArgv } from '../../src/core/qemu/argv/index.js';
import type { DomainDef } from '../../src/core/xml/domain/index.js';
import { cli, inProcessDaemon } from '../integration/daemon-harness.js';
import { qemu72Caps } from './caps.js';
import { libvirtTestPaths, loadCases, needsShared, preparedDef, repoRoot, testLibDir } from './cases.js';
import { diffNormalized, normalizeArgs, parseArgsText } from './normalize.js';

interface Difference {
  readonly name: string;
  readonly reason: string;
  /** The cases it shows in: all of them, no others. */
  readonly cases: readonly string[];
  /** Turns domxml-to-native's value into the harness's in one argument; returns it unchanged when it does not apply. */
  readonly toHarness: (arg: string, def: DomainDef) => string;
}

const ifaceType = (def: DomainDef, alias: string): string | undefined =>
  (def.devices?.interface ?? []).find((n) => n.alias?.name === alias)?.type;

const DIFFERENCES: readonly Difference[] = [
  {
    name: 'tap-fd',
    reason: "no tap is opened for a pretend run: the tap fd is the placeholder @tapfd-ALIAS@ where libvirt's harness mocks fd 3 (ethernet) or 102 (bridge, network)",
    cases: ['net-eth', 'net-mtu', 'net-openvswitch'],
    toHarness: (arg, def) => arg.replace(/"@tapfd-([a-z0-9-]+)@"/g, (_m, alias: string) => (ifaceType(def, alias) === 'ethernet' ? '"3"' : '"102"')),
  },
  {
    name: 'vhost-fd',
    reason: "no /dev/vhost-net is opened for a pretend run: the vhost fd is the placeholder @vhostfd-ALIAS@ where libvirt's harness mocks fd 44",
    cases: ['net-mtu'],
    toHarness: (arg) => arg.replace(/"@vhostfd-[a-z0-9-]+@"/g, '"44"'),
  },
  {
    name: 'hugetlbfs-mount',
    reason: "hugepages come from the host's hugetlbfs mount for their size (the fake host mounts 2 MiB pages on /dev/hugepages) where libvirt's harness mounts /dev/hugepages2M",
    cases: ['hugepages-default', 'hugepages-numa-default-2M'],
    toHarness: (arg) => arg.replace(/"mem-path":"\/dev\/hugepages\//g, '"mem-path":"/dev/hugepages2M/'),
  },
];

/** A host with two NUMA nodes and the usual systemd hugetlbfs mount of 2 MiB pages. */
async function fakeHost(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'vk-host-'));
  const put = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  put('proc/mounts', 'sysfs /sys sysfs rw 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n');
  put('proc/meminfo', 'MemTotal:       16384000 kB\nHugepagesize:       2048 kB\n');
  put('sys/devices/system/node/online', '0-1\n');
  return root;
}

function expectedDifferences(): Set<string> {
  const text = readFileSync(join(repoRoot(), 'tests', 'golden', 'expected-differences.tsv'), 'utf8');
  return new Set(text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split('\t')[0] ?? ''));
}

describe('CLI golden', needsShared('domain'), () => test('CLI golden: every reference case through `virtkit domxml-to-native`', { timeout: 300_000 }, async () => {
  const cases = loadCases();
  assert.equal(cases.length, 36, 'INDEX.tsv lists 36 cases');
  const libvirtDiffers = expectedDifferences();
  const hostRoot = await fakeHost();
  const d = await inProcessDaemon({ hostRoot });
  const problems: string[] = [];
  const shown = new Map<string, string[]>(DIFFERENCES.map((x) => [x.name, []]));
  let matches = 0;
  try {
    for (const c of cases) {
      const file = join(d.root, `${c.name}.xml`);
      await writeFile(file, c.inputXml);
      const r = await cli(d.root, ['domxml-to-native', 'qemu-argv', file]);
      if (r.code !== 0) {
        problems.push(`${c.name}: domxml-to-native failed (exit ${r.code}): ${r.stderr.trim()}`);
        continue;
      }
      const def = preparedDef(c.inputXml);
      const out = parseArgsText(r.stdout);
      const home = out.env.find((e) => e.startsWith('HOME='))?.slice(5);
      if (home === undefined) {
        problems.push(`${c.name}: no HOME= in the printed environment`);
        continue;
      }
      const args = out.args.map((a) => {
        let v = a;
        for (const x of DIFFERENCES) {
          const w = x.toHarness(v, def);
          if (w !== v && !(shown.get(x.name) ?? []).includes(c.name)) shown.get(x.name)?.push(c.name);
          v = w;
        }
        return v;
      });
      const viaCli = normalizeArgs(args, { libDir: home });
      const inProcess = normalizeArgs(buildQemuArgv(def, qemu72Caps(), libvirtTestPaths(def)).args, { libDir: testLibDir(def.name) });
      const exp = parseArgsText(c.expectedArgs);
      const expected = normalizeArgs(exp.args, { libDir: testLibDir(def.name) });
      const drift = diffNormalized(viaCli, inProcess);
      if (drift.length > 0) problems.push(`${c.name}: the CLI differs from the in-process builder:\n    ${drift.slice(0, 8).join('\n    ')}`);
      const vsLibvirt = diffNormalized(viaCli, expected);
      if (vsLibvirt.length === 0) matches++;
      else if (!libvirtDiffers.has(c.name)) problems.push(`${c.name}: the CLI differs from libvirt:\n    ${vsLibvirt.slice(0, 8).join('\n    ')}`);
    }
  } finally {
    await d.close();
    await rm(hostRoot, { recursive: true, force: true });
  }
  for (const x of DIFFERENCES) {
    const got = [...(shown.get(x.name) ?? [])].sort();
    const listed = [...x.cases].sort();
    for (const n of got) if (!listed.includes(n)) problems.push(`difference '${x.name}' shows in ${n}, which it does not list`);
    for (const n of listed) if (!got.includes(n)) problems.push(`difference '${x.name}' is listed for ${n} but no longer shows there: remove it`);
  }
  console.log(`CLI golden: ${matches}/${cases.length} match libvirt; named differences: ${DIFFERENCES.map((x) => `${x.name} (${x.cases.join(', ')})`).join('; ')}`);
  assert.deepEqual(problems, [], problems.join('\n'));
}));
