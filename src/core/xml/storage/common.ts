/**
 * Pieces shared by the pool and the volume schemas: libvirt's <permissions>,
 * byte sizes (<capacity unit='G'>5</capacity> -> bytes), and <format type=.../>.
 */
import type { Model } from '../schema.js';
import { elem, one, text, textElem } from '../schema.js';
import type { ValueType } from '../values.js';
import { int, str, uint } from '../values.js';

/** A file mode written in octal (libvirt: 0 to 0777); formatted as libvirt does, '0' + octal. */
export const octalMode: ValueType<number> = {
  describe: 'an octal file mode such as 0755',
  parse: (s) => {
    const t = s.trim();
    if (!/^[0-7]{1,4}$/.test(t)) throw new Error('is not an octal file mode (like 0755)');
    const n = Number.parseInt(t, 8);
    if (n > 0o777) throw new Error('is larger than 0777 (setuid, setgid and sticky bits are not allowed)');
    return n;
  },
  format: (v) => `0${v.toString(8)}`,
};

/** <permissions>: who owns what virtkit creates. owner/group -1 mean "leave as it is" (libvirt's value). */
export const permissionsSpec = elem({
  children: {
    mode: one(text(octalMode)),
    owner: one(text(int)),
    group: one(text(int)),
    label: one(text(str)),
  },
});
export type Permissions = Model<typeof permissionsSpec>;

/** A size in bytes; unit= scales it (b, KiB, MiB, G, GB...), bytes when absent. Written back in bytes. */
export const byteSizeSpec = textElem(uint, { scaled: { field: 'value', out: 'bytes', default: 'bytes' } });
export type ByteSize = Model<typeof byteSizeSpec>;
