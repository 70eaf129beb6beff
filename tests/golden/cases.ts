/**
 * The 36 libvirt reference cases (../shared/libvirt-cases/domain, see its
 * README and INDEX.tsv) and the pipeline the argv tests run them through:
 * parse -> prepareDomain (deterministic ctx) -> buildQemuArgv with the
 * captured QEMU 7.2 caps and libvirt-like test paths. Shared by the golden
 * test, the QEMU integration test and bench/xml-argv.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuntimePaths } from '../../src/core/qemu/argv/index.js';
import type { DomainDef } from '../../src/core/xml/domain/index.js';
import { parseDomainXml, prepareDomain } from '../../src/core/xml/domain/index.js';

/** The repository root, from either the .ts source or its compiled dist/ copy. */
export function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error('cannot find the repository root (package.json)');
    d = up;
  }
  return d;
}

export function casesDir(): string {
  const dir = resolve(repoRoot(), '..', 'shared', 'libvirt-cases', 'domain');
  if (!existsSync(join(dir, 'INDEX.tsv'))) {
    throw new Error(`the libvirt reference cases are missing: expected ${dir}/INDEX.tsv (the shared dir sits beside the repository, ../shared)`);
  }
  return dir;
}

export interface Case {
  name: string;
  inputXml: string;
  expectedArgs: string;
  features: string;
}

export function loadCases(): Case[] {
  const dir = casesDir();
  const rows = readFileSync(join(dir, 'INDEX.tsv'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return rows.slice(1).map((l) => {
    const [name, input, expected, features] = l.split('\t');
    if (!name || !input || !expected) throw new Error(`bad INDEX.tsv line: ${l}`);
    return {
      name,
      inputXml: readFileSync(join(dir, input), 'utf8'),
      expectedArgs: readFileSync(join(dir, expected), 'utf8'),
      features: features ?? '',
    };
  });
}

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
