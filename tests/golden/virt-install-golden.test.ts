/**
 * Golden test of `virtkit install`'s builder against virt-install 4.1 itself: every case of
 * shared/reference/virt-install-cases is parsed (parseInstallArgv), its OS looked up in the host's real
 * osinfo-db (src/host/osinfo, media detection included), its plan built for the oracle host the cases ran
 * on, and each phase's domain XML compared with virt-install's semantically: attributes in any order,
 * elements in order, random values (UUID, MAC, virtinst-XXXXXXXX file names) masked. Error cases compare
 * the message. KNOWN_DIFFERENCES is docs/install.md's list of differences kept on purpose, and only that.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { buildInstallPlan } from '../../src/core/install/build.js';
import { cloudInitFilePaths } from '../../src/core/install/cloud-init-options.js';
import { detectedOrFallback, osinfoRequest } from '../../src/core/install/osinfo-request.js';
import type { InstallArgs, InstallRandom, OsInfo } from '../../src/core/install/types.js';
import { genericOs } from '../../src/core/osinfo/resolve.js';
import { parseXmlTree, type XmlElement } from '../../src/core/xml/tree.js';
import { parseInstallArgv } from '../../src/core/options/install-argv.js';
import { OsDb, readIsoIdentity } from '../../src/host/osinfo/db.js';
import { repoRoot } from '../helpers/paths.js';
import { loadVirtInstallCases, needsVirtInstallCases, oracleHost } from '../helpers/virt-install-cases.js';

/**
 * Differences from virt-install kept on purpose (docs/install.md, "Differences from virt-install"): case ->
 * the reason's anchor in that document. Empty when every case matches exactly.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {};

function fixedRandom(): InstallRandom {
  let mac = 0;
  return {
    uuid: () => '00000000-0000-4000-8000-000000000000',
    mac: () => `52:54:00:00:00:${(++mac).toString(16).padStart(2, '0')}`,
    int: (bound: number) => 5 % bound,
    token: () => 'tok3n_ab',
  };
}

/** Mask what differs from run to run, except values the command line fixed. */
function mask(xml: string, argv: string[]): string {
  const line = argv.join('\n');
  let out = xml.replace(/virtinst-[a-z0-9_]{8}-/g, 'virtinst-XXXXXXXX-');
  if (!/\buuid=/.test(line)) out = out.replace(/<uuid>[^<]*<\/uuid>/g, '<uuid>UUID</uuid>');
  out = out.replace(/52:54:00(:[0-9a-f]{2}){3}/gi, (m) => (line.includes(m) ? m : 'MAC'));
  return out;
}

/** One line per element: path, attributes sorted, trimmed text; children in document order. */
function canonical(el: XmlElement, depth = 0): string[] {
  const attrs = [...el.attrs].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => ` ${k}="${v}"`).join('');
  const text = el.text.trim();
  return [`${'  '.repeat(depth)}<${el.name}${attrs}>${text}`, ...el.children.flatMap((c) => canonical(c, depth + 1))];
}

const canon = (xml: string, argv: string[]): string => canonical(parseXmlTree(mask(xml, argv))).join('\n');

async function osFor(db: OsDb, args: InstallArgs): Promise<OsInfo> {
  const req = osinfoRequest(args);
  const byName = (name: string): OsInfo => {
    const os = db.lookup(name);
    if (!os) throw new Error(`osinfo has no ${name}`);
    return os;
  };
  if (req.kind === 'name') return byName(req.name);
  if (req.kind === 'generic') return genericOs();
  if (req.kind === 'list') throw new Error('--osinfo list is not an install');
  const iso = await readIsoIdentity(req.media);
  const found = iso ? (db.identify(iso, 'x86_64')?.os ?? null) : null;
  const r = detectedOrFallback(req, found);
  return 'id' in r ? r : r.kind === 'name' ? byName(r.name) : genericOs();
}

describe('virt-install 4.1 reference cases', needsVirtInstallCases(), () => {
  const cases = loadVirtInstallCases();
  let db: OsDb;
  before(async () => {
    db = await OsDb.load();
  });

  test('the cases are all there (01-20) and each has an outcome', () => {
    assert.equal(cases.length, 20);
    for (const c of cases) assert.ok((c.xml === null) !== (c.err === null), `${c.name}: exactly one of .xml and .err`);
  });

  for (const c of cases) {
    test(c.name, async () => {
      let xml: string[];
      try {
        const args = parseInstallArgv(c.argv);
        const seedFiles = new Map(cloudInitFilePaths(args['cloud-init']?.at(-1)?.opts ?? []).map((f) => [f, readFileSync(f)] as const));
        const plan = buildInstallPlan(args, await osFor(db, args), oracleHost(), fixedRandom(), seedFiles);
        xml = plan.phases;
      } catch (err) {
        if (c.err === null || !(err instanceof VirtkitError)) throw err;
        assert.equal(err.message, c.err);
        return;
      }
      assert.equal(c.err, null, `virt-install refused this line (${c.err ?? ''}); we built ${xml.length} phase(s)`);
      const expected = c.xml ?? [];
      const same = xml.length === expected.length && xml.every((x, i) => canon(x, c.argv) === canon(expected[i] ?? '', c.argv));
      if (KNOWN_DIFFERENCES[c.name] !== undefined) {
        assert.ok(!same, `${c.name} matches now: drop it from KNOWN_DIFFERENCES and docs/install.md`);
        return;
      }
      assert.equal(xml.length, expected.length, 'number of phases');
      xml.forEach((x, i) => assert.equal(canon(x, c.argv), canon(expected[i] ?? '', c.argv), `phase ${i + 1}`));
    });
  }

  test('docs/install.md lists exactly the known differences', () => {
    const doc = readFileSync(join(repoRoot, 'docs', 'install.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([0-9]{2}-[a-z0-9-]+)` \|/gm)].map((m) => m[1]).sort();
    assert.deepEqual(listed, Object.keys(KNOWN_DIFFERENCES).sort());
  });
});
