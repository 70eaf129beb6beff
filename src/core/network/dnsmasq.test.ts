import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { needsShared, requireSharedSet } from '../../../tests/helpers/shared-cases.js';
import { networkProblems, parseNetworkXml } from '../xml/network/index.js';
import { dnsmasqConfig, dnsmasqPaths } from './dnsmasq.js';

/**
 * Golden test over libvirt's own expected dnsmasq configurations
 * (shared/libvirt-cases/network-dnsmasq, README there: libvirt's harness fakes
 * dnsmasq 2.67 and the state directory /var/lib/libvirt/dnsmasq, writes no
 * pid-file and no lease file). Paths are normalized to STATE/ on both sides;
 * comments are not options. virtkit keeps every libvirt option in libvirt's
 * order and adds only the run-time options below.
 */
const RUNTIME = ['pid-file=', 'dhcp-leasefile=', 'no-ping', 'log-facility='];

/**
 * Every other difference, per case, with its reason ('-' a libvirt line virtkit does not
 * write, '+' a line virtkit writes and libvirt does not). The test fails on a difference not
 * listed here and on a listed one that no longer occurs. None today.
 */
const KNOWN: Record<string, Array<{ diff: string; reason: string }>> = {};

const LIBVIRT_STATE = '/var/lib/libvirt/dnsmasq';
const OUR_STATE = '/run/virtkit/net-test';

function options(text: string, state: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(state + '/').join('STATE/'));
}

/** A line diff (longest common subsequence): '-x' only in `a`, '+x' only in `b`. */
function diff(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  // L[i*(m+1)+j]: the length of the longest common subsequence of a[i..] and b[j..].
  const L = new Array<number>((n + 1) * (m + 1)).fill(0);
  const at = (i: number, j: number): number => L[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i * (m + 1) + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) out.push(`-${a[i++] ?? ''}`);
    else out.push(`+${b[j++] ?? ''}`);
  }
  while (i < n) out.push(`-${a[i++] ?? ''}`);
  while (j < m) out.push(`+${b[j++] ?? ''}`);
  return out;
}

describe('dnsmasq configuration against libvirt (network-dnsmasq/)', needsShared('network-dnsmasq'), () => {
  const dir = requireSharedSet('network-dnsmasq');
  const cases = readdirSync(dir).filter((f) => f.endsWith('.conf')).map((f) => f.slice(0, -5)).sort();

  test('there are 18 cases, and every KNOWN entry names one', () => {
    assert.equal(cases.length, 18);
    for (const k of Object.keys(KNOWN)) assert.ok(cases.includes(k), `KNOWN lists '${k}', which is not a case`);
  });

  for (const name of cases) {
    test(`dnsmasq golden: ${name}`, () => {
      const def = parseNetworkXml(readFileSync(join(dir, `${name}.xml`), 'utf8'));
      assert.deepEqual(networkProblems(def).map((e) => e.message), []);
      const paths = dnsmasqPaths(OUR_STATE, def.name);
      const out = dnsmasqConfig(def, paths, { version: '2.67' });
      const ours = options(out.conf, OUR_STATE);
      const theirs = options(readFileSync(join(dir, `${name}.conf`), 'utf8'), LIBVIRT_STATE);

      // Run-time options: the pid file always; the lease file and no-ping exactly when serving DHCP.
      const runtime = ours.filter((l) => RUNTIME.some((r) => l.startsWith(r)));
      const dhcp = theirs.some((l) => l.startsWith('dhcp-hostsfile='));
      assert.deepEqual(runtime, [`pid-file=STATE/${def.name}.pid`, ...(dhcp ? [`dhcp-leasefile=STATE/${def.name}.leases`, 'no-ping'] : [])]);

      const found = diff(theirs, ours.filter((l) => !runtime.includes(l)));
      const listed = (KNOWN[name] ?? []).map((k) => k.diff);
      assert.deepEqual(found.filter((d) => !listed.includes(d)), [], 'differences from libvirt not listed in KNOWN (with a reason)');
      assert.deepEqual(listed.filter((d) => !found.includes(d)), [], 'KNOWN lists differences that no longer occur: drop them');

      const hostsRef = join(dir, `${name}.hostsfile`);
      if (existsSync(hostsRef)) assert.equal(out.hostsFile, readFileSync(hostsRef, 'utf8'));
      assert.equal(out.hostsFile === null, !dhcp);
    });
  }
});
