/**
 * The guest agent API's bodies and answers (qemu-agent-command, domfsfreeze, domfsthaw), as
 * strict valibot schemas; schemas.ts re-exports them and adds them to its named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const agentSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  agentSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));

export const AgentCommandBody = named('AgentCommandRequest', 'One command for the guest agent (qemu-agent-command), passed through as given', v.strictObject({
  command: v.strictObject({
    execute: described(v.pipe(v.string(), v.minLength(1)), 'The agent command, e.g. guest-info (QEMU qga/qapi-schema.json)'),
    arguments: v.optional(v.record(v.string(), v.unknown())),
  }),
  timeoutSeconds: v.optional(described(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(86_400)),
    'How long to wait for the answer (default 30); AGENT_UNRESPONSIVE after it')),
}));

export const AgentCommandResult = named('AgentCommandResult', "The agent's answer: the command's return value (null for one that returns nothing)", v.strictObject({
  return: v.unknown(),
}));
