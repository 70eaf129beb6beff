/**
 * Placement's inputs and outputs: what a domain asks for, what dedicated domains already hold,
 * and where the new one goes. Pure data, so the daemon can keep holdings in its state store and
 * a bench can replay thousands of placements.
 */
import type { HostNumaTopology } from './topology.js';

/**
 * How a domain's vCPUs use SMT siblings (the threads of one physical core):
 * - `prefer`: whole cores first (vCPU pairs on sibling threads), a lone vCPU on a core whose other
 *   thread is busy or left free; never refused for SMT reasons.
 * - `isolate`: one vCPU per core; the core's other threads stay idle and are held, so that no
 *   other domain's vCPU runs beside it.
 * - `require`: vCPUs only on whole free cores of several threads (all of a core's threads to this
 *   domain; with an odd count the last core's spare thread is held idle). Refused on a node
 *   without SMT.
 */
export type SmtPolicy = 'prefer' | 'isolate' | 'require';

export interface PlacementRequest {
  readonly domain: string;
  readonly vcpus: number;
  readonly memoryKiB: number;
  /** Back the memory with huge pages of this size: ceil(memoryKiB / size) pages from the node's pool. */
  readonly hugepageKiB?: number;
  /** `prefer` when absent. */
  readonly smt?: SmtPolicy;
}

/** What one dedicated domain holds on the host (from an earlier placement, or hand-written pinning). */
export interface Holding {
  readonly domain: string;
  /** Host CPUs that are the domain's alone: its vCPUs' threads and the siblings it keeps idle. */
  readonly cpus: readonly number[];
  /** Normal memory bound to a node (numatune strict). */
  readonly memory: readonly { readonly node: number; readonly kiB: number }[];
  readonly hugepages: readonly { readonly node: number; readonly sizeKiB: number; readonly pages: number }[];
}

export interface PlacementInput {
  readonly host: HostNumaTopology;
  readonly holdings: readonly Holding[];
  /**
   * CPUs never given to a dedicated domain; emulator threads run there (nova's cpu_shared_set).
   * By default the first physical core (all its threads) of each node that has CPUs.
   */
  readonly sharedCpus?: readonly number[];
  readonly request: PlacementRequest;
}

export interface Placement {
  readonly domain: string;
  /** The NUMA node of the vCPUs and the memory. */
  readonly node: number;
  /** vCPU i runs on host CPU vcpus[i]. */
  readonly vcpus: readonly number[];
  /** Siblings the domain keeps idle (isolate, or the spare thread of require's last core). */
  readonly idle: readonly number[];
  /** Where the emulator threads run: shared CPUs of the node, else of the nearest node that has some. */
  readonly emulator: readonly number[];
  readonly memoryKiB: number;
  readonly hugepages?: { readonly sizeKiB: number; readonly pages: number };
  /** Threads per core the vCPUs were given in whole-core groups (2: pairs of siblings; 1 otherwise). */
  readonly guestThreads: number;
  /** What the domain holds now: add it to the holdings of the next placement. */
  readonly holding: Holding;
}

/** Why one node cannot take the request: each thing it is short of, in words. */
export interface NodeShortfall {
  readonly node: number;
  readonly short: readonly string[];
}
