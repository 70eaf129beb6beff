/**
 * virsh domxml-to-native qemu-argv FILE: the command line the daemon would
 * run for the XML (its QEMU's real capabilities, this instance's run paths),
 * in libvirt's .args format or, with --json, as {binary, args, env}.
 */
import { formatArgsText } from '../../core/qemu/argv/format.js';
import { command, usageError } from '../framework.js';
import { onDomain } from '../domain.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'domxml-to-native',
  summary: 'Convert domain XML to native guest configuration format',
  args: [
    { name: 'format', help: 'target config data type format (qemu-argv)', required: true },
    { name: 'xml', help: 'xml data file to export from', required: true },
  ],
  options: {},
  async run(ctx, { format, xml: file }) {
    if (format !== 'qemu-argv') throw usageError(`unsupported config type ${format}: virtkit knows qemu-argv`);
    const xml = await readXmlFile(ctx.io.cwd, file);
    const argv = await onDomain(file, `Failed to convert ${file} to ${format}`, () => ctx.client().domxmlToNative(xml));
    if (ctx.json) return ctx.printJson(argv);
    ctx.io.stdout(formatArgsText(argv));
  },
});
