import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ipBatchText, runIpCommands } from './ip-batch.js';

test('ip -batch text: one line per command without "ip"; blanks, quotes and non-ip commands refused', () => {
  assert.equal(ipBatchText([['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'br0'], ['ip', 'link', 'set', 'dev', 'br0', 'up']]),
    'addr add 10.0.0.1/24 dev br0\nlink set dev br0 up\n');
  assert.throws(() => ipBatchText([['ip', 'link', 'set', 'dev', 'a b']]), /cannot carry/);
  assert.throws(() => ipBatchText([['ip', 'link', 'set', 'dev', "a'"]]), /cannot carry/);
  assert.throws(() => ipBatchText([['sysctl', '-w', 'net.ipv4.ip_forward=1']]), /not an ip command/);
});

test('runIpCommands: one command runs as itself, several as one -batch FILE (removed after, also on failure)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-ipb-'));
  try {
    const calls: string[][] = [];
    const seen: string[] = [];
    const ip = async (args: readonly string[]): Promise<string> => {
      calls.push([...args]);
      if (args[0] === '-batch') seen.push(await readFile(args[1] as string, 'utf8'));
      return '';
    };
    const file = join(dir, 'n.ip');
    await runIpCommands(ip, [], file);
    await runIpCommands(ip, [['ip', 'link', 'set', 'dev', 'br0', 'up']], file);
    await runIpCommands(ip, [['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'br0'], ['ip', 'link', 'set', 'dev', 'br0', 'up']], file);
    assert.deepEqual(calls, [['link', 'set', 'dev', 'br0', 'up'], ['-batch', file]]);
    assert.deepEqual(seen, ['addr add 10.0.0.1/24 dev br0\nlink set dev br0 up\n']);
    await assert.rejects(readFile(file), { code: 'ENOENT' });
    const failing = (): Promise<string> => Promise.reject(new Error('Command failed n.ip:2'));
    await assert.rejects(runIpCommands(failing, [['ip', 'a'], ['ip', 'b']], file), /Command failed/);
    await assert.rejects(readFile(file), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
