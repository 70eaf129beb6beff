/**
 * What domblklist and domiflist read from a domain's XML (as virsh does:
 * dumpxml, then the <disk> and <interface> elements), parsed with core's
 * domain XML parser.
 */
import { parseDomainXml } from '../../core/xml/domain/index.js';

export interface DiskRow {
  readonly type: string;
  readonly device: string;
  readonly target: string;
  readonly source: string;
}

export interface InterfaceRow {
  readonly interface: string;
  readonly type: string;
  readonly source: string;
  readonly model: string;
  readonly mac: string;
}

export function diskRows(xml: string): DiskRow[] {
  return (parseDomainXml(xml).devices?.disk ?? []).map((d) => {
    const s = d.source as { file?: string; dev?: string; dir?: string; name?: string; volume?: string; pool?: string } | undefined;
    const source = s?.file ?? s?.dev ?? s?.dir ?? (s?.pool !== undefined && s.volume !== undefined ? `${s.pool}/${s.volume}` : undefined) ?? s?.name ?? '-';
    return { type: d.type ?? 'file', device: d.device ?? 'disk', target: d.target?.dev ?? '-', source };
  });
}

export function interfaceRows(xml: string): InterfaceRow[] {
  return (parseDomainXml(xml).devices?.interface ?? []).map((n) => {
    const s = n.source as { network?: string; bridge?: string; dev?: string; path?: string } | undefined;
    return {
      interface: n.target?.dev ?? '-',
      type: n.type,
      source: s?.network ?? s?.bridge ?? s?.dev ?? s?.path ?? '-',
      model: n.model?.type ?? '-',
      mac: n.mac?.address ?? '-',
    };
  });
}
