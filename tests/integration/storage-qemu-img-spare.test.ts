// The process started ahead of time that becomes the next quiet qemu-img run
// (src/host/storage/qemu-img-spare.ts, used by qemu-img-spawn.ts for create): what the program it
// runs gets (pid, stdin, stdout, stderr, environment, exit status), abort, exec failure, a spare
// that died while waiting, and that it keeps no process alive. Real perl, sh, sleep and qemu-img.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExecSpare } from '../../src/host/storage/qemu-img-spare.js';
import { onPath, spawnQemuImg } from '../../src/host/storage/qemu-img-spawn.js';
import { QemuImg } from '../../src/host/storage/qemu-img.js';

const dir = mkdtempSync(join(tmpdir(), 'virtkit-img-spare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SH = onPath('sh') ?? '/bin/sh';
const env = { ...process.env, LC_ALL: 'C', VK_SPARE_TEST: 'seen', PERL5OPT: '-MNo::Such::Module::ForVirtkit' };

/** A pause longer than the quiet period before a spare is made (2 ms). */
const turn = (): Promise<unknown> => sleep(20);

/** A spare taken for `file args` (the first take asks for one and returns undefined; it is used once perl has started). */
async function taken(spare: ExecSpare, file: string, args: readonly string[], signal?: AbortSignal): Promise<ChildProcess> {
  for (let i = 0; i < 250; i++) {
    const c = spare.take(file, args, signal);
    if (c !== undefined) return c;
    await turn();
  }
  throw new Error('no spare was made');
}

function ended(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; errors: Error[] }> {
  let stderr = '';
  const errors: Error[] = [];
  c.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  c.on('error', (e) => errors.push(e));
  return new Promise((resolve) => c.on('close', (code, signal) => resolve({ code, signal, stderr, errors })));
}

/** Whether `pid` is gone or a zombie (PID 1 here reaps orphans only every 1-2 s). */
function goneOrZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /su.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

describe('the spare process for qemu-img', () => {
  test('runs the program in its own pid, with /dev/null as stdin and stdout, stderr read, the environment, the exit status', async () => {
    const spare = new ExecSpare(env, () => onPath('perl'));
    assert.equal(spare.take(SH, ['-c', 'true']), undefined, 'none is ready at the first take');
    const script = 'echo "pid=$$ in=$(readlink /proc/$$/fd/0) out=$(readlink /proc/$$/fd/1) env=$VK_SPARE_TEST perl=${PERL5OPT-unset} argv0=$0" >&2; exit 3';
    const c = await taken(spare, SH, ['-c', script, 'the-name']);
    const r = await ended(c);
    assert.equal(r.code, 3);
    assert.equal(r.stderr, `pid=${c.pid} in=/dev/null out=/dev/null env=seen perl=unset argv0=the-name\n`);
    assert.deepEqual(r.errors, []);
  });

  test('arguments pass unchanged: spaces, quotes, newlines, empty ones', async () => {
    const spare = new ExecSpare(env, () => onPath('perl'));
    const args = ['a b', "it's", 'line\nbreak', '', '$HOME', '-e'];
    const c = await taken(spare, SH, ['-c', 'for a in "$@"; do printf "[%s]" "$a" >&2; done', 'sh', ...args]);
    const r = await ended(c);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, args.map((a) => `[${a}]`).join(''));
  });

  test('an abort kills the program with SIGTERM and emits an AbortError; an aborted signal takes no spare', async () => {
    const spare = new ExecSpare(env, () => onPath('perl'));
    const ac = new AbortController();
    const c = await taken(spare, onPath('sleep') ?? '/bin/sleep', ['30'], ac.signal);
    const r = ended(c);
    await sleep(200);
    ac.abort();
    const { code, signal, errors } = await r;
    assert.equal(code, null);
    assert.equal(signal, 'SIGTERM');
    assert.equal(errors[0]?.name, 'AbortError');
    await turn();
    assert.equal(spare.take(SH, ['-c', 'true'], ac.signal), undefined);
  });

  test('a program that cannot be run: its reason on stderr and exit 127', async () => {
    const spare = new ExecSpare(env, () => onPath('perl'));
    const r = await ended(await taken(spare, join(dir, 'no-such-program'), []));
    assert.equal(r.code, 127);
    assert.match(r.stderr, /cannot run .*no-such-program: No such file or directory/u);
  });

  test('a spare that died while waiting is not used; the next one is', async () => {
    const spare = new ExecSpare(env, () => onPath('perl'));
    spare.take(SH, ['-c', 'true']);
    await turn();
    // Take it to learn its pid, then kill the next one made while it waits.
    const first = await taken(spare, SH, ['-c', 'exit 0']);
    await ended(first);
    const perlChildren = (): number[] => readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/u)
      .filter((p) => p !== '').map(Number).filter((p) => { try { return /perl/u.test(readFileSync(`/proc/${p}/cmdline`, 'utf8')); } catch { return false; } });
    let waiting = perlChildren();
    for (let i = 0; i < 250 && waiting.length === 0; i++) {
      await turn();
      waiting = perlChildren();
    }
    assert.equal(waiting.length >= 1, true, 'a spare waits');
    for (const p of waiting) process.kill(p, 'SIGKILL');
    // Wait until node has seen it exit.
    for (let i = 0; i < 100 && !waiting.every(goneOrZombie); i++) await sleep(20);
    await sleep(100);
    const c = await taken(spare, SH, ['-c', 'echo ok >&2']);
    const r = await ended(c);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, 'ok\n');
  });

  test('without perl no spare is made and nothing fails', async () => {
    const spare = new ExecSpare(env, () => undefined);
    for (let i = 0; i < 3; i++) {
      assert.equal(spare.take(SH, ['-c', 'true']), undefined);
      await turn();
    }
  });

  test('qemu-img create runs in a spare and makes the image qemu-img agrees with', async () => {
    const img = new QemuImg();
    const base = join(dir, 'base.qcow2');
    await img.create({ path: base, format: 'qcow2', size: 64 * 2 ** 20 });
    // Once qemu-img was found and a spare made, the next quiet run is the spare itself (perl before its exec).
    await img.create({ path: join(dir, 'o1.qcow2'), format: 'qcow2', size: 64 * 2 ** 20, backing: { path: base, format: 'qcow2' } });
    await sleep(1000);
    const c = spawnQemuImg('qemu-img', ['create', '-f', 'qcow2', '-b', base, '-F', 'qcow2', join(dir, 'o2.qcow2')], { stdout: 'ignore' });
    assert.match(c.spawnfile, /perl$/u);
    const r = await ended(c);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(await new Promise<string>((resolve) => {
      let out = '';
      spawn('qemu-img', ['info', '--output=json', join(dir, 'o2.qcow2')]).stdout.setEncoding('utf8').on('data', (d: string) => { out += d; }).on('end', () => resolve(out));
    })) as { 'backing-filename': string; 'backing-filename-format': string; format: string };
    assert.equal(info.format, 'qcow2');
    assert.equal(info['backing-filename'], base);
    assert.equal(info['backing-filename-format'], 'qcow2');
    assert.equal(existsSync(join(dir, 'o1.qcow2')), true);
  });

  test('a spare keeps no process alive, and exits when its process ends', async () => {
    // A node process that has a spare made, prints its children's pids, and should then end by itself.
    const spareModule = new URL('../../src/host/storage/qemu-img-spare.js', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import { readFileSync } from 'node:fs';
      const { ExecSpare } = await import(${JSON.stringify(spareModule)});
      new ExecSpare(process.env, () => ${JSON.stringify(onPath('perl'))}).take('/bin/true', []);
      setTimeout(() => console.log(readFileSync('/proc/self/task/' + process.pid + '/children', 'utf8').trim()), 300);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise((res) => child.on('close', res));
    clearTimeout(timer);
    assert.equal(code, 0, 'the node process ended by itself');
    const spares = out.trim().split(/\s+/u).filter((p) => p !== '').map(Number);
    assert.equal(spares.length, 1, `one spare was made: ${out}`);
    for (let i = 0; i < 200 && !spares.every(goneOrZombie); i++) await sleep(20);
    assert.equal(spares.every(goneOrZombie), true, 'the spare exited once its parent ended');
  });
});
