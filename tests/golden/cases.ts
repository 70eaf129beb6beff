/**
 * The pipeline the argv tests run the libvirt domain cases through:
 * parse -> prepareDomain (deterministic ctx) -> buildQemuArgv with the
 * captured QEMU 7.2 caps and libvirt-like test paths. Shared by the golden
 * test, the QEMU integration test and bench/xml-argv. The cases themselves
 * come from the one loader, tests/helpers/shared-cases.ts.
 */
import type { RuntimePaths } from '../../src/core/qemu/argv/index.js';
import type { DomainDef } from '../../src/core/xml/domain/index.js';
import { parseDomainXml, prepareDomain } from '../../src/core/xml/domain/index.js';
import { repoRoot as root } from '../helpers/paths.js';
import type { DomainCase } from '../helpers/shared-cases.js';

export { loadDomainCases as loadCases, needsShared } from '../helpers/shared-cases.js';
export type Case = DomainCase;

/** The repository root, from either the .ts source or its compiled dist/ copy. */
export const repoRoot = (): string => root;

/** A fixed byte stream, so that generated UUIDs and MACs are the same on every run. */
export function deterministicRandom(): (n: number) => Uint8Array {
  let x = 0x2545f491;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** parse + prepareDomain with a deterministic random stream. */
export function preparedDef(xml: string): DomainDef {
  return prepareDomain(parseDomainXml(xml), { random: deterministicRandom() });
}

export const shortName = (name: string): string => name.slice(0, 20);
export const testLibDir = (name: string): string => `/var/lib/libvirt/qemu/domain--1-${shortName(name)}`;

/** RuntimePaths as libvirt's test harness mocks them (tests/qemuxmlconftest.c). */
export function libvirtTestPaths(def: DomainDef): RuntimePaths {
  const libDir = testLibDir(def.name);
  const taps: Record<string, { fds: string[]; vhostfds?: string[] }> = {};
  for (const n of def.devices?.interface ?? []) {
    const alias = n.alias?.name;
    if (alias === undefined) continue;
    if (n.type === 'ethernet') taps[alias] = { fds: ['3'] };
    else if (n.type === 'bridge' || n.type === 'network') {
      const vhost = (n.model?.type ?? 'virtio') === 'virtio' && n.driver?.name !== 'qemu';
      taps[alias] = vhost ? { fds: ['102'], vhostfds: ['44'] } : { fds: ['102'] };
    }
  }
  const hp = `libvirt/qemu/-1-${shortName(def.name)}`;
  return {
    libDir,
    monitor: { path: `${libDir}/monitor.sock` },
    masterKeyPath: `${libDir}/master-key.aes`,
    channelDir: `/var/lib/libvirt/qemu/channel/target/domain--1-${shortName(def.name)}`,
    hugepages: [
      { sizeKiB: 2048, dir: `/dev/hugepages2M/${hp}`, default: true },
      { sizeKiB: 1048576, dir: `/dev/hugepages1G/${hp}` },
    ],
    taps,
    graphicsPorts: (def.devices?.graphics ?? []).map(() => 5900),
    autoNodeset: '0-3',
    // libvirt's test mock says /dev/cdrom is a CD-ROM drive (virFileIsCDROM)
    hostCdroms: ['/dev/cdrom'],
    passEnv: { PATH: '/bin', USER: 'test', LOGNAME: 'test' },
  };
}
