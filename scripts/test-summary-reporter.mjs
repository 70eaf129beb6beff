// A node:test reporter that run-tests.mjs adds beside the usual one: it collects what the end
// of a run must say plainly, as JSON lines in its destination file:
//   {"skip": reason, "file", "name"}   every skipped test or suite (e.g. no shared reference cases)
//   {"regenerated": message, "file"}   diagnostics starting 'regenerated: ' (tests/helpers/generated-file.ts)
//   {"fail": first error line, "file", "name"}   failed tests and suites, less those failing only
//                                      through a failed subtest (node's own count leaves out suites)
//   {"passed": 1}                      every test (not suite) that ran and passed
const PREFIX = 'regenerated: ';

export default async function* summary(source) {
  for await (const event of source) {
    const d = event.data;
    if (event.type === 'test:pass' && d.skip !== undefined && d.skip !== false) {
      yield `${JSON.stringify({ skip: d.skip === true ? '(no reason given)' : String(d.skip), file: d.file ?? '', name: d.name })}\n`;
    } else if (event.type === 'test:pass' && d.details?.type !== 'suite') {
      yield '{"passed":1}\n';
    } else if (event.type === 'test:fail' && d.details?.error?.failureType !== 'subtestsFailed') {
      const err = d.details?.error;
      const message = String(err?.cause?.message ?? err?.message ?? err ?? '').split('\n')[0];
      yield `${JSON.stringify({ fail: message, file: d.file ?? '', name: d.name })}\n`;
    } else if (event.type === 'test:diagnostic' && typeof d.message === 'string' && d.message.startsWith(PREFIX)) {
      yield `${JSON.stringify({ regenerated: d.message.slice(PREFIX.length), file: d.file ?? '' })}\n`;
    }
  }
}
