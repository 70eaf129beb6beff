/**
 * The driver used while no hypervisor driver is plugged in: definitions,
 * lists, XML and autostart flags work; anything that needs a running guest
 * says clearly why it cannot.
 */
import { VirtkitError } from '../core/errors.js';
import type { Hypervisor, HypervisorVersion, NativeArgv, RunningDomain } from './driver.js';

export class NoHypervisor implements Hypervisor {
  readonly name = 'none';

  constructor(private readonly why = 'this virtkitd was built without a hypervisor driver') {}

  #refuse(what: string): VirtkitError {
    return new VirtkitError('UNSUPPORTED_OPERATION', `cannot ${what}: ${this.why}`, { details: { driver: 'none' } });
  }

  version(): Promise<HypervisorVersion> {
    return Promise.reject(this.#refuse('report the hypervisor version'));
  }

  start(): Promise<RunningDomain> {
    return Promise.reject(this.#refuse('start a domain'));
  }

  reattach(): Promise<RunningDomain | undefined> {
    return Promise.reject(this.#refuse('reconnect to a running domain'));
  }

  nativeArgv(): Promise<NativeArgv> {
    return Promise.reject(this.#refuse('build a QEMU command line'));
  }

  capabilitiesXml(): Promise<string> {
    return Promise.reject(this.#refuse('report the capabilities'));
  }

  domainCapabilitiesXml(): Promise<string> {
    return Promise.reject(this.#refuse('report the domain capabilities'));
  }

  cpuModelNames(): Promise<string[]> {
    return Promise.reject(this.#refuse('list CPU models'));
  }
}
