/**
 * The DLP engine: detect → decide → transform, failing closed.
 *
 * 1. Views of the text: the normalised text (zero-width removed, full-width and look-alike letters folded;
 *    normalize.ts keeps the map back to the original), a view with spelled-out emails rewritten, and the
 *    decoded text of base64 tokens (a finding there covers the whole token).
 * 2. Every rule runs over every view (detect.ts); the allow lists drop public values.
 * 3. The policy gives each finding an action or drops it below its minimum score.
 * 4. Overlaps are resolved deterministically: among findings the policy acts on (anything but allow), the
 *    longest wins, then the highest score, then the earliest start, then the rule id, and the winner's span
 *    grows to cover every acted-on finding it overlaps (no part of a value can stay visible beside a
 *    shorter label); findings left to "allow" are reported only where they overlap nothing acted on, so
 *    an allowed URL can never shield a key inside it.
 * 5. Decision: block if any finding blocks (output null), redact if any finding is rewritten, else allow;
 *    decided over every finding before overlaps are resolved, so a losing finding's stricter action counts.
 *
 * JSON-aware: when the text is a JSON object or array, each string and number value is scanned with its
 * member name as context and rewritten in place (json-slots.ts): the output is valid JSON of the same shape.
 *
 * Any error or a time budget overrun inside the engine yields decision block with no output: the raw text
 * is never released by a failing scan.
 */
import { hmacSha256Hex, randomBytes } from '../tlog/index.js';
import { detect, lowerSameLength, presentLiterals, type DetectOptions, type Detection, type ScanView } from './detect.js';
import { base64Candidates, editedRegions, normalise, spelledEmailView, toOriginalSpan, type NormalisedText } from './normalize.js';
import type { Policy } from './policy.js';
import type { AllowEntry, CompiledRule, RuleSet } from './rules.js';
import { jsonSlots, type JsonSlot } from './json-slots.js';
import { markdownTableCells } from './table-cells.js';
import { digitsJoinedView } from './digits-view.js';
import { detectEntities, nlpBudgetMs, warmUp } from './nlp.js';
import { applyReplacements, type Replacement } from './transform.js';
import type { Action, Finding, ScanResult } from './types.js';

/** Default time budget of one scan (ms). A 1 MB adversarial text takes well under it with the shipped rules. */
export const DEFAULT_TIME_BUDGET_MS = 1000;

export interface DlpEngineOptions {
  rules: RuleSet;
  policy: Policy;
  /** key of the keyed pseudonyms and fingerprints; without one, a random key lives as long as the engine */
  pseudonymKey?: Uint8Array;
  timeBudgetMs?: number;
  /** run the NLP detector (nlp.ts: names, places, organisations, written dates, health terms); default true */
  nlp?: boolean;
}

export interface ScanOptions {
  /** where the output goes; selects the policy's per-destination overrides */
  destination?: string;
  /** only these rules (e.g. `vigil rules test` runs one rule at a time) */
  rules?: readonly CompiledRule[];
  /** false: scan a JSON text as plain text (default: JSON objects and arrays are scanned value by value) */
  json?: boolean;
  /** this scan's budget (ms) instead of the engine's (a caller that queued the text passes what is left) */
  timeBudgetMs?: number;
}

export interface FailedScanResult extends ScanResult {
  decision: 'block';
  output: null;
  error: { code: string; message: string };
}

/** Spans to test others against for overlap: sorted by start, with the running maximum of their ends. */
class SpanSet {
  readonly #starts: number[];
  readonly #maxEnds: number[];

  constructor(spans: ReadonlyArray<{ start: number; end: number }>) {
    const sorted = [...spans].sort((a, b) => a.start - b.start);
    this.#starts = sorted.map((s) => s.start);
    let max = -1;
    this.#maxEnds = sorted.map((s) => (max = Math.max(max, s.end)));
  }

  /** Whether [start, end) overlaps one of the spans: among those starting before `end`, one ends after `start`. */
  overlaps(start: number, end: number): boolean {
    let lo = 0;
    let hi = this.#starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#starts[mid] as number) < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && (this.#maxEnds[lo - 1] as number) > start;
  }
}

/** The rules each derived view runs, per rule set (computed once, not on every scan). */
const ruleSubsets = new WeakMap<readonly CompiledRule[], { email: CompiledRule[]; numeric: CompiledRule[] }>();

function derivedRuleSubsets(rules: readonly CompiledRule[]): { email: CompiledRule[]; numeric: CompiledRule[] } {
  let subsets = ruleSubsets.get(rules);
  if (subsets === undefined) {
    subsets = {
      email: rules.filter((r) => r.entity === 'EMAIL_ADDRESS'),
      numeric: rules.filter((r) => r.entity !== 'CREDIT_CARD' && r.patterns.some((p) => p.shape.trigger?.kind === 'digit')),
    };
    ruleSubsets.set(rules, subsets);
  }
  return subsets;
}

/** Characters before a base64 token read as its label. */
const BASE64_LABEL_CHARS = 48;
/** What a derived view maps a span to when it must not be reported. */
const NO_SPAN = { start: -1, end: -1 };

const SEVERITY: Record<Action, number> = { allow: 0, pseudonymise: 1, mask: 2, redact: 3, block: 4 };

function viewOf(n: NormalisedText, label: string | undefined, outer?: ScanView): ScanView {
  return {
    text: n.text,
    label,
    toOriginal: (start, end) => {
      const span = toOriginalSpan(n, start, end);
      return outer ? outer.toOriginal(span.start, span.end) : span;
    },
  };
}

function isAllowed(allow: readonly AllowEntry[], d: Detection): boolean {
  if (allow.length === 0) return false;
  const value = d.value.trim().toLowerCase();
  return allow.some((a) => a.value === value && (a.entities === undefined || a.entities.has(d.rule.entity)));
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Types that other rules describe more precisely: on a tie they give way (a Stripe key is a Stripe key). */
const GENERIC_TYPES: ReadonlySet<string> = new Set(['GENERIC_API_KEY', 'PASSWORD']);

/** Evidence beyond the score, for ties: a passing validator, then context words that raised it, then a specific type. */
function specificity(f: Finding): number {
  const raised = f.explanation.context.filter((c) => c.by > 0).length;
  return (f.explanation.validator?.passed ? 100 : 0) + 10 * Math.min(raised, 9) + (GENERIC_TYPES.has(f.type) ? 0 : 1);
}

/** Longest first, then highest score, then the most specific evidence, then the earliest, then the rule id. */
function byPrecedence(a: Finding, b: Finding): number {
  return (
    b.end - b.start - (a.end - a.start) ||
    b.score - a.score ||
    specificity(b) - specificity(a) ||
    a.start - b.start ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}

/** Findings in groups of transitively overlapping spans, by start: resolution never crosses groups. */
function overlapGroups(findings: readonly Finding[]): Finding[][] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const groups: Finding[][] = [];
  let end = -1;
  for (const f of sorted) {
    const current = groups[groups.length - 1];
    if (current && f.start < end) current.push(f);
    else groups.push([f]);
    end = Math.max(end, f.end);
  }
  return groups;
}

/** One group: winners in precedence order; a winner grows over the acted-on findings it beats. */
function resolveGroup(group: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  for (const f of [...group].sort(byPrecedence)) {
    const winner = kept.find((k) => overlaps(k, f));
    if (winner === undefined) {
      kept.push({ ...f });
      continue;
    }
    winner.start = Math.min(winner.start, f.start);
    winner.end = Math.max(winner.end, f.end);
  }
  // Growing can make two winners overlap: merge until none do.
  kept.sort((a, b) => a.start - b.start);
  for (let i = 1; i < kept.length; ) {
    const prev = kept[i - 1] as Finding;
    const cur = kept[i] as Finding;
    if (cur.start < prev.end) {
      const [win, lose] = byPrecedence(prev, cur) <= 0 ? [prev, cur] : [cur, prev];
      win.start = Math.min(prev.start, cur.start);
      win.end = Math.max(prev.end, cur.end);
      kept.splice(kept.indexOf(lose), 1);
      i = Math.max(1, i - 1);
    } else {
      i++;
    }
  }
  return kept;
}

/** Keeps non-overlapping findings the policy acts on (see the module comment), then the allowed ones that overlap none of them. */
function resolve(findings: Finding[]): Finding[] {
  const kept = overlapGroups(findings.filter((f) => f.action !== 'allow')).flatMap(resolveGroup);
  kept.sort((a, b) => a.start - b.start);
  const out = [...kept];
  for (const f of findings) {
    if (f.action !== 'allow') continue;
    // The first kept finding ending after f starts is the only one that can overlap it first.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((kept[mid] as Finding).end <= f.start) lo = mid + 1;
      else hi = mid;
    }
    const next = kept[lo];
    if (next === undefined || !overlaps(next, f)) out.push(f);
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * The released text for resolved (non-overlapping) findings: the one rendering both the whole-text scan and
 * the stream filter use. `quoted` holds "start:end" of spans that replace a JSON number.
 */
export function renderOutput(text: string, findings: readonly Finding[], quoted: ReadonlySet<string> = new Set()): string {
  const replacements: Replacement[] = findings
    .filter((f) => f.action !== 'allow')
    .map((f) => ({ start: f.start, end: f.end, type: f.type, action: f.action, token: f.fingerprint?.slice(0, 12), quote: quoted.has(`${f.start}:${f.end}`) }));
  return replacements.length === 0 ? text : applyReplacements(text, replacements);
}

export class DlpEngine {
  readonly rules: RuleSet;
  readonly policy: Policy;
  readonly #key: Uint8Array;
  readonly #budget: number;
  readonly #nlp: boolean;

  constructor(options: DlpEngineOptions) {
    this.rules = options.rules;
    this.policy = options.policy;
    this.#key = options.pseudonymKey ?? randomBytes(32);
    this.#budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
    this.#nlp = options.nlp ?? true;
    // Loading compromise and the lexicons takes ~150 ms: once, here, not inside the first scan's budget.
    if (this.#nlp) warmUp();
  }

  /** Scans one text. Never throws: a failure is a block. */
  scan(text: string, options: ScanOptions = {}): ScanResult | FailedScanResult {
    try {
      return this.#scan(text, options);
    } catch (e) {
      const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'DLP_FAILED';
      // The message must not quote the text: it may be logged.
      return { decision: 'block', output: null, findings: [], error: { code, message: code === 'DLP_TIMEOUT' ? 'the scan exceeded its time budget' : 'the scan failed' } };
    }
  }

  /** The detections of one rule set over a text, before the policy (for `vigil rules test`). */
  detectAll(text: string, rules: readonly CompiledRule[] = this.rules.rules, deadline = Date.now() + this.#budget, options: DetectOptions = {}): Detection[] {
    if (typeof text !== 'string') throw new TypeError('the text to scan must be a string');
    const normalised = normalise(text);
    const base = viewOf(normalised, normalised.changes.length > 0 ? normalised.changes.join(', ') : undefined);
    const lowerBase = lowerSameLength(base.text);
    // The rule set's literals present in the text, found once for this view and the views derived from it.
    const present = presentLiterals(rules, lowerBase);
    const out = detect(base, lowerBase, rules, deadline, { ...options, present });
    const subsets = derivedRuleSubsets(rules);
    const spelled = spelledEmailView(base.text);
    if (spelled) {
      // The spelled-out view exists for emails: only email rules run there, and a match over a real
      // address is not taken ("reach Jane at jane.doe@corp.example" must not also yield "Jane@jane.doe").
      const direct = new SpanSet(out.filter((d) => d.rule.entity === 'EMAIL_ADDRESS'));
      out.push(...this.#fromDerivedView(text, spelled, viewOf(spelled, 'spelled-out email', base), subsets.email, direct, deadline, { ...options, present }));
    }
    const joined = digitsJoinedView(base.text);
    if (joined) {
      // Digits split by separators to dodge their usual grouping, read joined by the numeric rules. Card
      // numbers are left out: over joined digit runs, Luhn and issuer prefixes still let random runs
      // through, and each one would block a whole output (measured on the dev corpus: 3 false blocks).
      const view = viewOf(joined, 'separators removed from digit runs', base);
      out.push(...this.#fromDerivedView(text, joined, view, subsets.numeric, new SpanSet(out), deadline, { ...options, present }));
    }
    for (const c of base64Candidates(base.text)) {
      // The decoded token is read between the words just before and after it ("ssn_b64: …"), its labels;
      // everything found in the decoded part covers the whole token, and nothing is taken from the labels.
      const before = `${base.text.slice(Math.max(0, c.start - BASE64_LABEL_CHARS), c.start)}\n`;
      const after = `\n${base.text.slice(c.end, c.end + BASE64_LABEL_CHARS)}`;
      const decodedEnd = before.length + c.decoded.length;
      const span = base.toOriginal(c.start, c.end);
      const view: ScanView = {
        text: before + c.decoded + after,
        label: 'base64-decoded',
        toOriginal: (start, end) => (end > before.length && start < decodedEnd ? span : NO_SPAN),
      };
      for (const d of detect(view, lowerSameLength(view.text), rules, deadline, options)) if (d.start !== NO_SPAN.start) out.push(d);
    }
    if (this.#nlp && rules === this.rules.rules) {
      // Names, places, organisations, written dates and health terms: after the patterns, which it is told
      // about (a health term next to an identifier is PHI; words inside a pattern finding are skipped).
      const prior = out.map((d) => ({ start: d.start, end: d.end, type: d.rule.entity, category: d.rule.category }));
      out.push(...detectEntities(base, nlpBudgetMs(text.length), deadline, { priorFindings: prior }));
    }
    return out;
  }

  /**
   * What a derived view (spelled-out emails, joined digits) adds: matches in which the view changed
   * something, where the text itself showed nothing (`direct`). Only the view's edited regions and their
   * surroundings are scanned: elsewhere it reads as the text did.
   */
  #fromDerivedView(text: string, derived: NormalisedText, view: ScanView, rules: readonly CompiledRule[], direct: SpanSet, deadline: number, options: DetectOptions): Detection[] {
    const regionOptions = { ...options, regions: editedRegions(derived) };
    return detect(view, lowerSameLength(view.text), rules, deadline, regionOptions).filter((d) => text.slice(d.start, d.end) !== d.value && !direct.overlaps(d.start, d.end));
  }

  /** Detections in a JSON text, value by value, with member names as context; spans in the text. */
  #detectJson(text: string, slots: readonly JsonSlot[], rules: readonly CompiledRule[], deadline: number): Array<Detection & { quote?: boolean }> {
    const out: Array<Detection & { quote?: boolean }> = [];
    for (const slot of slots) {
      const prefix = slot.key === undefined ? '' : `${slot.key}: `;
      for (const d of this.detectAll(prefix + slot.value, rules, deadline)) {
        if (d.end <= prefix.length) continue; // found in the member name alone
        if (slot.exact) {
          const from = Math.max(d.start, prefix.length) - prefix.length;
          out.push({ ...d, start: slot.nodeStart + 1 + from, end: slot.nodeStart + 1 + (d.end - prefix.length) });
        } else if (slot.kind === 'string') {
          out.push({ ...d, start: slot.nodeStart + 1, end: slot.nodeEnd - 1 }); // escapes inside: the whole value
        } else {
          out.push({ ...d, start: slot.nodeStart, end: slot.nodeEnd, quote: true });
        }
      }
    }
    return out;
  }

  /**
   * Markdown table cells again, each with its column header as context (table-cells.ts). A value found
   * both ways is one finding after overlap resolution (the same span: the better-scored one wins).
   */
  #detectTableCells(text: string, rules: readonly CompiledRule[], deadline: number): Detection[] {
    const out: Detection[] = [];
    for (const cell of markdownTableCells(text)) {
      const prefix = `${cell.header}: `;
      for (const d of this.detectAll(prefix + text.slice(cell.start, cell.end), rules, deadline)) {
        if (d.end <= prefix.length) continue; // found in the header alone
        // A match that takes in the header as its label reports the cell's part only.
        out.push({ ...d, start: cell.start + Math.max(d.start, prefix.length) - prefix.length, end: cell.start + d.end - prefix.length });
      }
    }
    return out;
  }

  #scan(text: string, options: ScanOptions): ScanResult {
    const deadline = Date.now() + (options.timeBudgetMs ?? this.#budget);
    const rules = options.rules ?? this.rules.rules;
    const slots = options.json === false ? undefined : jsonSlots(text);
    const detections: Array<Detection & { quote?: boolean }> = slots ? this.#detectJson(text, slots, rules, deadline) : this.detectAll(text, rules, deadline);
    if (!slots) detections.push(...this.#detectTableCells(text, rules, deadline));
    const quoted = new Set<string>();
    const findings: Finding[] = [];
    for (const d of detections) {
      if (isAllowed(this.rules.allow, d)) continue;
      const action = this.policy.decide({ type: d.rule.entity, category: d.rule.category, score: d.score }, options.destination);
      if (action === undefined) continue;
      findings.push({
        type: d.rule.entity,
        start: d.start,
        end: d.end,
        score: d.score,
        rule: d.rule.id,
        action,
        category: d.rule.category,
        explanation: d.explanation,
        fingerprint: this.fingerprint(d.value),
      });
      if (d.quote) quoted.add(`${d.start}:${d.end}`);
    }
    const worst = findings.reduce((max, f) => Math.max(max, SEVERITY[f.action]), 0);
    const kept = resolve(findings);
    if (worst === SEVERITY.block) return { decision: 'block', output: null, findings: kept };
    const rewritten = kept.some((f) => f.action !== 'allow');
    return { decision: rewritten ? 'redact' : 'allow', output: renderOutput(text, kept, quoted), findings: kept };
  }

  /** Keyed fingerprint of a detected value: the same value (case and separators aside) gives the same one. */
  fingerprint(value: string): string {
    const canonical = value.normalize('NFKC').toLowerCase().replace(/[\s\-.()/]/g, '');
    return hmacSha256Hex(this.#key, canonical).slice(0, 32);
  }
}
