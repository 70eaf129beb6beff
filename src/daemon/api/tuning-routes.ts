/**
 * The tuning routes of a domain (docs/tuning.md): GET its pinning, CPU bandwidth and NUMA memory
 * (live, or with config=true as defined), POST one change with --live/--config.
 */
import type { ErrorCode } from '../../core/errors.js';
import type { TuningChange } from '../../core/tuning/change.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const dom = '/v1/domains/{id}';
const lookup: ErrorCode[] = ['DOMAIN_NOT_FOUND', 'OPERATION_INVALID'];
const job: ErrorCode[] = [
  'DOMAIN_NOT_FOUND', 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID', 'INVALID_ARGUMENT', 'HOST_TUNING_FAILED', 'HOST_UNSUPPORTED',
  'UNSUPPORTED_OPERATION', 'QEMU_FAILED',
];

export const tuningRoutes: Route[] = [
  route({
    method: 'GET', path: `${dom}/tuning`, operationId: 'getTuning', tag: 'lifecycle',
    summary: 'vcpupin, emulatorpin, iothreadinfo, schedinfo and numatune: the running domain\'s (or with config=true the definition\'s)',
    query: { config: { kind: 'bool', description: 'The persistent definition, even while the domain runs' } } as const satisfies QuerySpec,
    response: 'TuningReport', errors: lookup,
    handle: async ({ params, query, engine }) => ({
      body: await engine.dispatch({ kind: 'tuning', name: params['id'] ?? '', ...(query.config === true ? { config: true } : {}) }),
    }),
  }),
  route({
    method: 'POST', path: `${dom}/actions/tune`, operationId: 'setTuning', tag: 'lifecycle',
    summary: 'Change one tuning setting of the running domain (applied to its threads and cgroup) and/or of its definition',
    query: { wait: WAIT } as const satisfies QuerySpec, body: 'TuningBody', response: 'DomainInfo', errors: job,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({
        kind: 'setTuning', name: params['id'] ?? '', change: body.change as TuningChange,
        ...(body.live === true ? { live: true } : {}), ...(body.config === true ? { config: true } : {}),
      }, query.wait === undefined ? {} : { wait: query.wait }),
    }),
  }),
];
