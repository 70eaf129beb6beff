/** What the net-update section handlers share (update-*.ts): their input, their errors, insertion. */
import { VirtkitError } from '../errors.js';
import type { NetworkDef } from '../xml/network/schema.js';

export type DnsmasqAction = 'none' | 'reload' | 'restart';

/** What a section handler is given: the copy to change, where to put a new entry, and for errors the network's name. */
export interface SectionUpdate {
  def: NetworkDef;
  command: 'add' | 'delete' | 'modify';
  first: boolean;
  parentIndex: number;
  xml: string;
}

export function updateError(code: 'OPERATION_INVALID' | 'UNSUPPORTED_OPERATION', def: NetworkDef, section: string, message: string): VirtkitError {
  return new VirtkitError(code, `network '${def.name}', ${section}: ${message}`, { details: { network: def.name, section } });
}

/** Inserts at the start or the end. */
export function insert<T>(list: T[] | undefined, item: T, first: boolean): T[] {
  return first ? [item, ...(list ?? [])] : [...(list ?? []), item];
}

