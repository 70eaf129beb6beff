/**
 * Named network namespaces (`ip netns`): add, delete, list, and run a command
 * inside one (`ip netns exec NS CMD...`, an argument array, never a shell).
 */
import { checkIfName } from './link-names.js';
import { runIp, type IpRunner } from './ip-runner.js';

export class NetNamespaces {
  readonly #run: IpRunner;

  constructor(run: IpRunner = runIp) {
    this.#run = run;
  }

  /** Namespace names share the kernel's interface name rules here: they become file names under /run/netns. */
  async add(name: string): Promise<void> {
    checkIfName(name, 'namespace name');
    await this.#run(['netns', 'add', name]);
  }

  async delete(name: string): Promise<void> {
    checkIfName(name, 'namespace name');
    await this.#run(['netns', 'del', name]);
  }

  async list(): Promise<string[]> {
    const out = (await this.#run(['-j', 'netns', 'list'])).trim();
    // iproute2 prints nothing at all (not "[]") when there are no namespaces.
    return out === '' ? [] : (JSON.parse(out) as { name: string }[]).map((n) => n.name);
  }

  /** Runs `argv` inside the namespace and returns its stdout. */
  async exec(name: string, argv: readonly string[]): Promise<string> {
    checkIfName(name, 'namespace name');
    return this.#run(['netns', 'exec', name, ...argv]);
  }
}
