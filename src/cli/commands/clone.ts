/**
 * virtkit clone: virt-clone 4.1's flags and messages over the daemon's one clone job
 * (POST /v1/domains/{id}/actions/clone). The original must be shut off; its disks are copied
 * (or, with --linked, become qcow2 overlays on the original's images), shared (read-only,
 * shareable, cdrom, --skip-copy) or, with --preserve-data, replaced by existing images.
 */
import type { CloneRequest } from '../../client/types.js';
import type { CloneProgress } from '../../client/websocket.js';
import { command, usageError, type Context } from '../framework.js';
import { onDomain } from '../domain.js';
import { readXmlFile } from './define.js';

const CHECKS = new Set(['all', 'path_in_use', 'disk_size', 'path_exists', 'mac_in_use']);

/**
 * --check KEY=on|off,... (virt-install's): the keys are checked; turning off path_exists (or all)
 * would let virt-clone overwrite an existing image, which virtkit never does: refused, not dropped.
 */
function parseCheck(values: readonly string[]): void {
  for (const part of values.flatMap((v) => v.split(','))) {
    const [key = '', value] = part.split('=', 2);
    if (!CHECKS.has(key) || (value !== 'on' && value !== 'off')) {
      throw usageError(`--check ${part}: expected KEY=on|off with KEY one of ${[...CHECKS].join(', ')}`);
    }
    if (value === 'off' && (key === 'path_exists' || key === 'all')) {
      throw usageError(`--check ${part}: virtkit clone never overwrites an existing image; remove it, name another --file, or use --preserve-data`);
    }
  }
}

/**
 * virt-clone's meter on a terminal (never with --json): `Allocating 'FILE' [ 42 %]` for each disk
 * as the daemon copies it, on stderr, redrawn once per whole percent.
 */
function allocationMeter(ctx: Context): { update: (p: CloneProgress) => void; end: () => void } | undefined {
  if (ctx.json || ctx.io.tty !== true) return undefined;
  let current: string | undefined;
  return {
    update: (p) => {
      if (current !== undefined && current !== p.target) ctx.io.stderr('\n');
      current = p.target;
      ctx.io.stderr(`\rAllocating '${p.file}' [${String(Math.floor(p.percent)).padStart(3)} %]`);
    },
    end: () => {
      if (current !== undefined) ctx.io.stderr('\n');
    },
  };
}

export default command({
  name: 'clone',
  summary: 'clone a shut-off domain: new name, UUID and MACs; disks copied, linked or shared (virt-clone)',
  args: [],
  options: {
    original: { type: 'string', short: 'o', arg: 'NAME', help: 'name of the original guest to clone (it must be shut off)' },
    'original-xml': { type: 'string', arg: 'FILE', help: 'XML file to use as the original guest' },
    'auto-clone': { type: 'boolean', help: 'generate the clone name and storage paths from the original guest' },
    name: { type: 'string', short: 'n', arg: 'NAME', help: 'name for the new guest' },
    file: { type: 'string', short: 'f', arg: 'PATH', multiple: true, help: 'new file (or volume name) for the next disk to clone; once per disk' },
    'skip-copy': { type: 'string', arg: 'TARGET', multiple: true, help: 'share this disk target (e.g. vdb) with the original instead of copying it' },
    'preserve-data': { type: 'boolean', help: 'copy nothing: every --file is an existing image, used as it is' },
    nvram: { type: 'string', arg: 'FILE', help: 'new file for the NVRAM VARS (default: NEWNAME_VARS.fd beside the original)' },
    mac: { type: 'string', short: 'm', arg: 'MAC', multiple: true, help: 'fixed MAC for the next NIC (RANDOM: all random, the default)' },
    linked: { type: 'boolean', help: "each cloned disk a qcow2 overlay backed by the original's qcow2 image" },
    reflink: { type: 'boolean', help: 'use btrfs COW lightweight copy (raw disks; fails where the file system cannot)' },
    replace: { type: 'boolean', help: 'destroy and undefine an existing guest with the new name first' },
    'print-xml': { type: 'boolean', help: 'print the generated clone XML and exit without cloning' },
    check: { type: 'string', arg: 'KEY=on|off', multiple: true, help: 'enable or disable validation checks (virt-install --check)' },
  },
  async run(ctx, _args, o) {
    parseCheck(o.check);
    if (o.file.length === 0 && !o['auto-clone']) throw usageError("Either --auto-clone or --file is required, use '--auto-clone or --file' and try again.");
    const xmlFile = o['original-xml'];
    if (o.original === undefined && xmlFile === undefined) throw usageError("An original machine name is required, use '--original ORIGINAL_GUEST' and try again.");
    if (o.name === undefined && !o['auto-clone']) throw usageError("A name is required for the new virtual machine, use '--name NEW_VM_NAME' to specify one.");
    const macs = o.mac[0] === 'RANDOM' ? [] : o.mac;
    const req: CloneRequest = {
      ...(o.name === undefined ? {} : { name: o.name }),
      ...(o.file.length === 0 ? {} : { files: [...o.file] }),
      ...(macs.length === 0 ? {} : { macs: [...macs] }),
      ...(o['skip-copy'].length === 0 ? {} : { skipCopy: [...o['skip-copy']] }),
      ...(o['auto-clone'] ? { autoClone: true } : {}),
      ...(o['preserve-data'] ? { preserveData: true } : {}),
      ...(o.linked ? { linked: true } : {}),
      ...(o.reflink ? { reflink: true } : {}),
      ...(o.nvram === undefined ? {} : { nvram: o.nvram }),
      ...(o.replace ? { replace: true } : {}),
      ...(o['print-xml'] ? { printXml: true } : {}),
    };
    const ref = xmlFile === undefined ? (o.original ?? '') : { originalXml: await readXmlFile(ctx.io.cwd, xmlFile) };
    const meter = typeof ref === 'string' && !o['print-xml'] ? allocationMeter(ctx) : undefined;
    const r = await onDomain(typeof ref === 'string' ? ref : xmlFile ?? '', undefined,
      () => ctx.client().cloneDomain(ref, req, meter === undefined ? {} : { onProgress: meter.update })).finally(() => meter?.end());
    if (ctx.json) return ctx.printJson(r);
    // virt-clone's output, without virsh's closing blank line.
    ctx.bare();
    if (r.domain === null) return ctx.print(r.xml.trimEnd());
    // Without a terminal (no meter), the disks made are listed once the job is done.
    if (meter === undefined) {
      for (const d of r.disks) if ((d.action === 'copy' || d.action === 'link') && d.path !== undefined) ctx.print(`Allocating '${d.path.slice(d.path.lastIndexOf('/') + 1)}'`);
    }
    ctx.print('');
    ctx.print(`Clone '${r.domain.name}' created successfully.`);
  },
});

