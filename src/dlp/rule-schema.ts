/**
 * The shape of a rule pack file (rules/README.md documents it for people). Strict: an unknown field is an
 * error, so that a typo ("keyword:" for "keywords:") cannot silently switch a check off.
 */
import { z } from 'zod';
import { CATEGORIES, REGULATIONS } from './types.js';

const score = z.number().min(0).max(1);
const words = z.array(z.string().min(1).max(200)).min(1).max(500);

export const PatternSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'a pattern name is 1-64 lowercase letters, digits, "_", "." or "-"'),
  regex: z.string().min(1).max(4096),
  score: score.optional(),
  group: z.number().int().min(1).max(9).optional(),
  ignore_case: z.boolean().optional(),
});

export const ValidatorRefSchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().min(1), min: z.number().positive().max(8).optional() }),
]);

export const ContextSchema = z.strictObject({
  window: z.number().int().min(1).max(500).optional(),
  raise: z.strictObject({ words, by: score }).optional(),
  lower: z.strictObject({ words, by: score }).optional(),
});

export const RuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}(\.[a-z0-9][a-z0-9_-]{0,63}){1,4}$/, 'a rule id is lowercase, dot-separated: <pack>.<name>'),
    entity: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'an entity type is UPPER_SNAKE_CASE'),
    category: z.enum(CATEGORIES),
    regulations: z.array(z.enum(REGULATIONS)).max(REGULATIONS.length).optional(),
    description: z.string().max(500).optional(),
    score: score.optional(),
    patterns: z.array(PatternSchema).min(1).max(64).optional(),
    terms: z.array(z.string().min(1).max(200)).min(1).max(5000).optional(),
    validator: ValidatorRefSchema.optional(),
    keywords: words.optional(),
    context: ContextSchema.optional(),
    examples: z
      .strictObject({
        match: z.array(z.string()).max(200).optional(),
        nomatch: z.array(z.string()).max(200).optional(),
      })
      .optional(),
  })
  .refine((r) => r.patterns !== undefined || r.terms !== undefined, { message: 'a rule needs patterns or terms' });

export const AllowEntrySchema = z.strictObject({
  value: z.string().min(1).max(1000),
  entities: z.array(z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/)).min(1).optional(),
});

export const PackSchema = z.strictObject({
  pack: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a pack name is lowercase letters, digits, "_" or "-"'),
  description: z.string().max(500).optional(),
  rules: z.array(RuleSchema).max(2000).optional(),
  allow: z.array(AllowEntrySchema).max(10000).optional(),
});

export type PackFile = z.infer<typeof PackSchema>;
export type RuleFile = z.infer<typeof RuleSchema>;
export type PatternFile = z.infer<typeof PatternSchema>;
