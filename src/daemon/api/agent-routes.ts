/**
 * The guest agent route: one command passed through to a running domain's qemu-ga
 * (qemu-agent-command; the CLI's domfsfreeze and domfsthaw use it too). Parses the request
 * into the engine's agentCommand action.
 */
import { route, type Route } from './router.js';

export const agentRoutes: Route[] = [
  route({
    method: 'POST', path: '/v1/domains/{id}/agent-command', operationId: 'agentCommand', tag: 'domains',
    summary: "Run one command in the running domain's guest agent (qemu-ga) and give its answer",
    query: {}, body: 'AgentCommandBody', response: 'AgentCommandResult',
    errors: ['DOMAIN_NOT_FOUND', 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION', 'AGENT_UNAVAILABLE', 'AGENT_UNRESPONSIVE', 'AGENT_COMMAND_FAILED', 'INVALID_ARGUMENT'],
    handle: async ({ params, body, engine }) => ({
      body: {
        return: await engine.dispatch({
          kind: 'agentCommand', name: params['id'] ?? '',
          command: { execute: body.command.execute, ...(body.command.arguments === undefined ? {} : { arguments: body.command.arguments }) },
          ...(body.timeoutSeconds === undefined ? {} : { timeoutSeconds: body.timeoutSeconds }),
        }),
      },
    }),
  }),
];
