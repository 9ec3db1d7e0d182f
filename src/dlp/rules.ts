/**
 * Loading rule packs (rules/README.md): YAML files are parsed, checked against the strict schema, and
 * compiled. Every refusal names the file, the rule and the reason, and nothing of a folder is used when one
 * of its files is refused: a half-loaded rule set would be a silent leak.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { VigilError } from '../errors.js';
import { checkLinearTime } from './regex-safety.js';
import { patternShape, type PatternShape } from './pattern-shape.js';
import { PackSchema, type PatternFile, type RuleFile } from './rule-schema.js';
import { VALIDATORS, isValidatorName } from './validators.js';
import type { Category, Regulation, Validator, ValidatorOptions } from './types.js';

export const DEFAULT_RULE_SCORE = 0.5;
export const DEFAULT_CONTEXT_WINDOW = 48;
/** A validator that passes raises a match to at least this score. */
export const VALIDATED_SCORE = 0.95;

export interface CompiledPattern {
  name: string;
  /** global (and case-insensitive when asked); proven linear-time */
  regex: RegExp;
  score: number;
  /** report only this capture group */
  group: number | undefined;
  /** what every match needs (lets the detector scan only windows around it) */
  shape: PatternShape;
}

export interface ContextWords {
  words: string[];
  by: number;
}

export interface CompiledRule {
  id: string;
  pack: string;
  file: string;
  entity: string;
  category: Category;
  regulations: Regulation[];
  description: string | undefined;
  patterns: CompiledPattern[];
  validator: { name: string; check: Validator; options: ValidatorOptions } | undefined;
  /** lowercased; the rule runs only when one appears in the (lowercased) text */
  keywords: string[] | undefined;
  context: { window: number; raise: ContextWords | undefined; lower: ContextWords | undefined } | undefined;
  examples: { match: string[]; nomatch: string[] };
}

export interface AllowEntry {
  /** compared with the matched value, case-insensitively, surrounding spaces trimmed */
  value: string;
  entities: ReadonlySet<string> | undefined;
}

export interface RuleSet {
  packs: string[];
  rules: CompiledRule[];
  allow: AllowEntry[];
}

function refuse(file: string, rule: string | undefined, reason: string): never {
  const where = rule === undefined ? file : `${file}: rule ${rule}`;
  throw new VigilError('RULES_INVALID', `${where}: ${reason}`, { file, ...(rule === undefined ? {} : { rule }) });
}

/** Escapes regex syntax characters; only those, since the terms pattern uses the 'u' flag, where any other escape (e.g. `\-`) is an error. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function compilePattern(file: string, ruleId: string, p: PatternFile, ruleScore: number): CompiledPattern {
  const flags = p.ignore_case ? 'i' : '';
  let regex: RegExp;
  try {
    // 'd' gives the capture group's indices when only a group is reported.
    regex = new RegExp(p.regex, `g${flags}${p.group !== undefined ? 'd' : ''}`);
  } catch (e) {
    return refuse(file, ruleId, `pattern "${p.name}" does not compile: ${(e as Error).message}`);
  }
  const verdict = checkLinearTime(p.regex, flags);
  if (!verdict.safe) refuse(file, ruleId, `pattern "${p.name}" is refused: ${verdict.reason}`);
  const groups = new RegExp(`${p.regex}|`, flags).exec('')?.length ?? 1;
  if (p.group !== undefined && p.group >= groups) refuse(file, ruleId, `pattern "${p.name}" has no capture group ${p.group}`);
  return { name: p.name, regex, score: p.score ?? ruleScore, group: p.group, shape: patternShape(p.regex, flags) };
}

/** A deny list as one pattern: the terms on word boundaries, case-insensitive, spaces flexible. */
function compileTerms(file: string, ruleId: string, terms: string[], ruleScore: number): CompiledPattern {
  const alternatives = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length > 0))]
    .sort((a, b) => b.length - a.length) // longest first, so that a longer term wins at the same start
    .map((t) => t.split(/\s+/).map(escapeRegex).join('[ \\t]{1,3}'));
  const source = `(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`;
  const verdict = checkLinearTime(source, 'iu');
  if (!verdict.safe) refuse(file, ruleId, `its terms are refused: ${verdict.reason}`);
  return { name: 'term', regex: new RegExp(source, 'giu'), score: ruleScore, group: undefined, shape: patternShape(source, 'iu') };
}

function compileRule(file: string, pack: string, r: RuleFile): CompiledRule {
  if (!r.id.startsWith(`${pack}.`)) refuse(file, r.id, `a rule id must start with its pack's name ("${pack}.")`);
  const score = r.score ?? DEFAULT_RULE_SCORE;
  const patterns = (r.patterns ?? []).map((p) => compilePattern(file, r.id, p, score));
  const names = new Set<string>();
  for (const p of patterns) {
    if (names.has(p.name)) refuse(file, r.id, `two patterns are named "${p.name}"`);
    names.add(p.name);
  }
  if (r.terms) patterns.push(compileTerms(file, r.id, r.terms, score));
  let validator: CompiledRule['validator'];
  if (r.validator !== undefined) {
    const name = typeof r.validator === 'string' ? r.validator : r.validator.name;
    if (!isValidatorName(name)) refuse(file, r.id, `unknown validator "${name}"`);
    const options: ValidatorOptions = typeof r.validator === 'string' || r.validator.min === undefined ? {} : { min: r.validator.min };
    validator = { name, check: VALIDATORS[name], options };
  }
  const lower = (words: string[]): string[] => words.map((w) => w.toLowerCase());
  return {
    id: r.id,
    pack,
    file,
    entity: r.entity,
    category: r.category,
    regulations: r.regulations ?? [],
    description: r.description,
    patterns,
    validator,
    keywords: r.keywords ? lower(r.keywords) : undefined,
    context: r.context
      ? {
          window: r.context.window ?? DEFAULT_CONTEXT_WINDOW,
          raise: r.context.raise ? { words: lower(r.context.raise.words), by: r.context.raise.by } : undefined,
          lower: r.context.lower ? { words: lower(r.context.lower.words), by: r.context.lower.by } : undefined,
        }
      : undefined,
    examples: { match: r.examples?.match ?? [], nomatch: r.examples?.nomatch ?? [] },
  };
}

/** Parses and compiles one pack file. */
export function loadPackFile(file: string): { pack: string; rules: CompiledRule[]; allow: AllowEntry[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return refuse(file, undefined, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    return refuse(file, undefined, `is not valid YAML${where}: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = PackSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path ?? [];
    // Name the rule when the problem is inside one.
    let rule: string | undefined;
    if (at[0] === 'rules' && typeof at[1] === 'number') {
      const candidate = (raw as { rules?: Array<{ id?: unknown }> }).rules?.[at[1]]?.id;
      rule = typeof candidate === 'string' ? candidate : `#${at[1] + 1}`;
    }
    const field = at.map(String).join('.');
    return refuse(file, rule, `${field ? `${field}: ` : ''}${issue?.message ?? 'does not match the rule pack schema'}`);
  }
  const pack = parsed.data;
  const rules = (pack.rules ?? []).map((r) => compileRule(file, pack.pack, r));
  const allow = (pack.allow ?? []).map((a) => ({ value: a.value.trim().toLowerCase(), entities: a.entities ? new Set(a.entities) : undefined }));
  return { pack: pack.pack, rules, allow };
}

/** The YAML files of a folder, in name order (README.md and other files are ignored). */
function packFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw new VigilError('RULES_INVALID', `${dir}: the rules folder cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { file: dir });
  }
  return names.filter((n) => /\.ya?ml$/i.test(n)).sort().map((n) => path.join(dir, n));
}

/** Loads every pack in the given folders (the shipped rules first, then the user's). */
export function loadRuleSet(dirs: readonly string[]): RuleSet {
  const set: RuleSet = { packs: [], rules: [], allow: [] };
  const ids = new Map<string, string>();
  const packs = new Map<string, string>();
  for (const dir of dirs) {
    for (const file of packFiles(dir)) {
      const loaded = loadPackFile(file);
      const other = packs.get(loaded.pack);
      if (other !== undefined) refuse(file, undefined, `pack "${loaded.pack}" is already defined in ${other}`);
      packs.set(loaded.pack, file);
      for (const r of loaded.rules) {
        const first = ids.get(r.id);
        if (first !== undefined) refuse(file, r.id, `the rule id is already used in ${first}`);
        ids.set(r.id, file);
      }
      set.packs.push(loaded.pack);
      set.rules.push(...loaded.rules);
      set.allow.push(...loaded.allow);
    }
  }
  return set;
}

/** The rule packs shipped with Vigil (`rules/` at the top of the package). */
export function shippedRulesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'rules');
}
