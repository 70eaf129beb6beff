/**
 * Valibot issues as `{path, message}` pairs: the one place that turns a failed
 * safeParse into the text and details virtkit's errors carry. Pure code.
 */
import type { BaseIssue } from 'valibot';

export interface SchemaIssue {
  /** Dotted path of the offending value ('' for the top level). */
  readonly path: string;
  readonly message: string;
}

export function schemaIssues(issues: readonly BaseIssue<unknown>[]): SchemaIssue[] {
  return issues.map((i) => {
    const keys = (i.path ?? []).map((p) => String(p.key));
    // valibot's "Invalid key: Expected never but received \"k\"" and "Expected \"k\" but received undefined".
    if (i.kind === 'schema' && i.type.endsWith('object') && i.message.startsWith('Invalid key:')) {
      return { path: keys.join('.'), message: i.expected === 'never' ? `unknown key ${i.received}` : 'missing required key' };
    }
    return { path: keys.join('.'), message: i.message };
  });
}

/** "path: message; path: message", for an error's text. */
export function issuesText(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}
