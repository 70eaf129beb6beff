/**
 * The secrets REST routes: /v1/secrets/{uuid}. A value goes in and out only in a JSON body
 * ({ "value": base64 }), never in the URL, so it is in no access log. Reading the value of a
 * private secret is refused (OPERATION_INVALID).
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const one = '/v1/secrets/{id}';
const lookup: ErrorCode[] = ['SECRET_NOT_FOUND'];
const job: ErrorCode[] = ['OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'IO_ERROR'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT', 'XML_DUPLICATE'];
const id = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const bool = (description: string) => ({ kind: 'bool', description }) as const;
const NoQuery = {} as const satisfies QuerySpec;
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;

export const secretRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/secrets', operationId: 'listSecrets', tag: 'secrets', summary: 'List secrets (never their values)',
    query: { ephemeral: bool('Only ephemeral (true) or persistent (false) secrets'), private: bool('Only private (true) or readable (false) secrets') },
    response: 'SecretList', errors: [],
    handle: async ({ query, engine }) => {
      const filter = {
        ...(query.ephemeral === undefined ? {} : { ephemeral: query.ephemeral }),
        ...(query.private === undefined ? {} : { private: query.private }),
      };
      return { body: { secrets: await engine.dispatch({ kind: 'secretList', filter }) } };
    },
  }),
  route({
    method: 'POST', path: '/v1/secrets', operationId: 'defineSecret', tag: 'secrets',
    summary: 'Define a secret, or replace the definition of one with the same UUID (its value is kept)',
    description: 'Answers 201 when the secret is new, 200 when its definition was replaced.',
    query: WaitQuery, body: 'SecretXmlBody', response: 'SecretDefineResult', status: 201, errors: [...xmlErrors, ...job],
    handle: async ({ query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'secretDefine', xml: body.xml }, opts(query));
      return { status: r.created ? 201 : 200, body: r };
    },
  }),
  route({
    method: 'GET', path: one, operationId: 'getSecret', tag: 'secrets', summary: 'One secret, by UUID',
    query: NoQuery, response: 'SecretInfo', errors: lookup,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'secretGet', uuid: id(params) }) }),
  }),
  route({
    method: 'DELETE', path: one, operationId: 'undefineSecret', tag: 'secrets', summary: 'Undefine a secret and remove its value',
    query: WaitQuery, response: 'SecretInfo', errors: [...lookup, ...job],
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'secretUndefine', uuid: id(params) }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${one}/xml`, operationId: 'getSecretXml', tag: 'secrets', summary: 'Secret XML',
    query: NoQuery, response: 'XmlDocument', errors: lookup,
    handle: async ({ params, engine }) => ({ body: { xml: await engine.dispatch({ kind: 'secretXml', uuid: id(params) }) } }),
  }),
  route({
    method: 'PUT', path: `${one}/value`, operationId: 'setSecretValue', tag: 'secrets',
    summary: 'Set the value (base64 in the body); stored 0600 unless the secret is ephemeral',
    query: WaitQuery, body: 'SecretValue', response: 'SecretInfo', errors: [...lookup, ...job, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'secretSetValue', uuid: id(params), value: body.value }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${one}/value`, operationId: 'getSecretValue', tag: 'secrets',
    summary: 'The value, base64; refused for a private secret', query: NoQuery, response: 'SecretValue',
    errors: [...lookup, 'OPERATION_INVALID'],
    handle: async ({ params, engine }) => ({ body: { value: await engine.dispatch({ kind: 'secretGetValue', uuid: id(params) }) } }),
  }),
];
