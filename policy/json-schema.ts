// The policy format as JSON Schema, for editors (`tsbox schema > tsbox.schema.json`, then point
// the YAML language server at it). Generated from the zod schema so the two cannot drift.
// Checks zod cannot express in JSON Schema (syscall names, units, "exactly one of") are the
// loader's job; the schema covers the shape, the enums and the defaults.
import { z } from 'zod';
import { PolicySchema } from './schema.js';

export function policyJsonSchema(): Record<string, unknown> {
  // io: 'input' describes what users write (defaults are optional), not the parsed output.
  const schema = z.toJSONSchema(PolicySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'tsbox policy (version 1)' };
}
