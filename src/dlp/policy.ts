/**
 * The DLP policy: which action each finding gets (allow, redact, mask, pseudonymise, block), from its
 * entity type, then its category, then the default; from which score a finding counts; and overrides per
 * destination (an internal tool may see what an external recipient may not). Deciding is separate from
 * detecting and from transforming, as in Presidio.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../errors.js';
import { ACTIONS, CATEGORIES, type Action, type Category } from './types.js';

const ActionSchema = z.enum(ACTIONS);
const EntityName = z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an entity type is UPPER_SNAKE_CASE');

const RulesSchema = z.strictObject({
  min_score: z.number().min(0).max(1).optional(),
  entities: z.record(EntityName, ActionSchema).optional(),
  categories: z.partialRecord(z.enum(CATEGORIES), ActionSchema).optional(),
});

export const PolicySchema = z.strictObject({
  version: z.literal(1),
  description: z.string().max(500).optional(),
  min_score: z.number().min(0).max(1),
  default_action: ActionSchema,
  entities: z.record(EntityName, ActionSchema).optional(),
  categories: z.partialRecord(z.enum(CATEGORIES), ActionSchema).optional(),
  destinations: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/, 'a destination name is lowercase'), RulesSchema).optional(),
});

export type PolicyFile = z.infer<typeof PolicySchema>;

export interface Policy {
  readonly name: string;
  /** the action for a finding of this type and category at `destination`, or undefined when its score is too low */
  decide(finding: { type: string; category: Category; score: number }, destination: string | undefined): Action | undefined;
  /** the destinations the policy names */
  readonly destinations: readonly string[];
}

export function compilePolicy(file: PolicyFile, name: string): Policy {
  const destinations = file.destinations ?? {};
  return {
    name,
    destinations: Object.keys(destinations),
    decide(finding, destination) {
      const d = destination === undefined ? undefined : destinations[destination];
      const minScore = d?.min_score ?? file.min_score;
      if (finding.score < minScore) return undefined;
      return (
        d?.entities?.[finding.type] ??
        file.entities?.[finding.type] ??
        d?.categories?.[finding.category] ??
        file.categories?.[finding.category] ??
        file.default_action
      );
    },
  };
}

/** Reads and checks a policy file; errors name the file and the field. */
export function loadPolicy(file: string): Policy {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'), { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError('POLICY_INVALID', `${file}: ${code ? `cannot be read (${code})` : `is not valid YAML: ${(e as Error).message.split('\n')[0]}`}`, { file });
  }
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = (issue?.path ?? []).map(String).join('.');
    throw new VigilError('POLICY_INVALID', `${file}: ${field ? `${field}: ` : ''}${issue?.message ?? 'does not match the policy schema'}`, { file, path: field });
  }
  return compilePolicy(parsed.data, path.basename(file));
}

/** The policy shipped with Vigil: secrets and card numbers block; PHI, national IDs and contact data redact. */
export function defaultPolicyFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'policy', 'default.yaml');
}
