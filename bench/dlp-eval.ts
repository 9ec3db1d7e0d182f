/**
 * DLP quality on labelled data: Vigil's engine (shipped rules, default policy) and, side by side on the same
 * texts in the same run, the npm packages openredaction and redact-pii (devDependencies for this bench only).
 *
 *   npm run bench:dlp-eval          (builds dist/ first; or: npm run build && npx tsx bench/dlp-eval.ts)
 *   DLP_EVAL_EXAMPLES=8 …           (case ids listed per worst type; default 5)
 *   DLP_EVAL_ONLY=vigil …           (Vigil alone, no packages: a quick loop while working on rules)
 *
 * 1. The dev corpus, data/dlp-corpus/dev.jsonl (made by scripts/make-dlp-corpus.ts; see its README):
 *    - leak: planted values still recoverable from the released output. A blocked output (null) leaks
 *      nothing. Recoverable = the value, or the value with separators and zero-width characters removed and
 *      full-width and look-alike letters folded, or its digits with any separators, appears in the folded
 *      output, in the output with spelled-out "at"/"dot" rewritten, or in a decoded base64 token of it
 *      (`leakViews` and `recoverable` in scripts/make-dlp-corpus.ts, shared with the generator's own check).
 *      Types the policy allows (URL under the default policy: reported, left in place) are left out of the
 *      leak figures and shown apart; the same values are left out for every redactor.
 *    - adversarial leak: the same over planted values written with an evasion.
 *    - over-redaction: decoys whose text is no longer in the output unchanged; a block alters every decoy of
 *      its case. `over_redaction_released_pct` is the same over the outputs that were released (not
 *      blocked): how often the redaction itself touched a decoy. `over_redaction_not_rightly_blocked_pct`
 *      counts every decoy except those of outputs rightly blocked (a planted value of a type the policy
 *      blocks was in them): the released outputs plus the false blocks, whose decoys all count as altered.
 *    - per-type precision and recall of Vigil's findings against the planted spans (overlap-based; a
 *      finding of another type over a planted value counts for "any-type recall", not for the strict one).
 *    - MB/s: UTF-8 bytes of all case texts over the wall time of one pass of the redactor over them, one
 *      call per case as a filter would make them, after a warm-up over the first 200 cases (best of
 *      BENCH_DLP_EVAL_RUNS passes, default 2); p50/p99: latency of one call in that pass.
 *    The same figures for Vigil on data/dlp-corpus/holdout.jsonl (the generator with another seed; rules
 *    are tuned on dev.jsonl only), to show how far that tuning carries.
 * 2. The Presidio synthetic set (data/presidio-synth-v2/, MIT, copied from the shared datasets with its
 *    LICENSE and README): its labels mapped to Vigil's types (PRESIDIO_MAP below), leak and recall per label.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenRedaction } from 'openredaction';
import { SyncRedactor } from 'redact-pii';
import { DlpEngine, defaultPolicyFile, loadPolicy, loadRuleSet, shippedRulesDir } from '../dist/dlp/index.js';
import type { Category, Finding } from '../dist/dlp/index.js';
import { decoyIntact, leakViews, recoverable, type Case, type Planted } from '../scripts/make-dlp-corpus.js';
import { envInt, machine, percentile, report } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = path.join(ROOT, 'data', 'dlp-corpus', 'dev.jsonl');
const HOLDOUT = path.join(ROOT, 'data', 'dlp-corpus', 'holdout.jsonl');
const PRESIDIO = path.join(ROOT, 'data', 'presidio-synth-v2', 'synth_dataset_v2.json');
const EXAMPLES = envInt('DLP_EVAL_EXAMPLES', 5);
const RUNS = envInt('BENCH_DLP_EVAL_RUNS', 2);

// -----------------------------------------------------------------------------------------------------
// The redactors
// -----------------------------------------------------------------------------------------------------

interface Span {
  type: string;
  start: number;
  end: number;
}
interface Released {
  output: string | null;
  findings: Span[];
  /** the scan failed (Vigil fails closed: a block) */
  failed?: boolean;
}
interface Redactor {
  name: string;
  run(text: string): Released | Promise<Released>;
}

const rules = loadRuleSet([shippedRulesDir()]);
const policy = loadPolicy(defaultPolicyFile());
// A generous time budget so that the figures measure detection, not the fail-closed cut-off.
const engine = new DlpEngine({ rules, policy, pseudonymKey: new Uint8Array(32), timeBudgetMs: 60_000 });

const vigil: Redactor = {
  name: 'vigil',
  run(text) {
    const r = engine.scan(text);
    return { output: r.output, findings: r.findings.map((f: Finding) => ({ type: f.type, start: f.start, end: f.end })), failed: 'error' in r };
  },
};

// openredaction: the README's default (`new OpenRedaction()`, placeholder mode, all built-in patterns, names on).
const openRedaction = new OpenRedaction();
const openredaction: Redactor = {
  name: 'openredaction',
  async run(text) {
    const r = await openRedaction.detect(text);
    return { output: r.redacted, findings: r.detections.map((d) => ({ type: d.type, start: d.position[0], end: d.position[1] })) };
  },
};

// redact-pii: the README's synchronous default (`new SyncRedactor()`, built-in patterns, no Google DLP).
const syncRedactor = new SyncRedactor();
const redactPii: Redactor = {
  name: 'redact-pii',
  run(text) {
    return { output: syncRedactor.redact(text), findings: [] };
  },
};

// DLP_EVAL_ONLY=vigil skips the packages (a quick loop while working on rules; the figures come from full runs).
const REDACTORS = process.env.DLP_EVAL_ONLY === 'vigil' ? [vigil] : [vigil, openredaction, redactPii];

// -----------------------------------------------------------------------------------------------------
// Helpers
// -----------------------------------------------------------------------------------------------------

const pct = (n: number, d: number): number => (d === 0 ? 0 : (100 * n) / d);
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

/** Entity types the default policy leaves in place (reported but allowed): not counted as leaks. */
const categoryOf = new Map<string, Category>(rules.rules.map((r) => [r.entity, r.category]));
function policyAllows(type: string): boolean {
  const category = categoryOf.get(type);
  return category !== undefined && policy.decide({ type, category, score: 1 }, undefined) === 'allow';
}

/** Entity types whose finding blocks the whole output under the default policy (secrets, card numbers). */
function policyBlocks(type: string): boolean {
  const category = categoryOf.get(type);
  return category !== undefined && policy.decide({ type, category, score: 1 }, undefined) === 'block';
}

async function runAll(redactor: Redactor, texts: string[]): Promise<{ results: Released[]; seconds: number; p50ms: number; p99ms: number }> {
  for (const t of texts.slice(0, 200)) await redactor.run(t); // warm-up
  let best = Infinity;
  let results: Released[] = [];
  let latencies: number[] = [];
  for (let k = 0; k < RUNS; k++) {
    const out: Released[] = [];
    const lat: number[] = [];
    const t0 = process.hrtime.bigint();
    for (const t of texts) {
      const c0 = process.hrtime.bigint();
      out.push(await redactor.run(t));
      lat.push(Number(process.hrtime.bigint() - c0) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (seconds < best) {
      best = seconds;
      latencies = lat;
    }
    results = out;
  }
  latencies.sort((a, b) => a - b);
  return { results, seconds: best, p50ms: percentile(latencies, 50), p99ms: percentile(latencies, 99) };
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}
function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

// -----------------------------------------------------------------------------------------------------
// 1. The dev corpus
// -----------------------------------------------------------------------------------------------------

interface CorpusScore {
  planted: number;
  leaked: number;
  advPlanted: number;
  advLeaked: number;
  decoys: number;
  altered: number;
  /** decoys of released (not blocked) outputs, and how many of them were altered */
  releasedDecoys: number;
  releasedAltered: number;
  blockedCases: number;
  allowedPlanted: number;
  leakedByType: Map<string, number>;
  plantedByType: Map<string, number>;
  leakExamples: Map<string, string[]>;
  leakedByEvasion: Map<string, number>;
  plantedByEvasion: Map<string, number>;
  leakedByForm: Map<string, number>;
  plantedByForm: Map<string, number>;
  alteredByKind: Map<string, number>;
  decoysByKind: Map<string, number>;
  alteredExamples: Map<string, string[]>;
  /** decoys altered in released outputs, by kind, with examples */
  releasedAlteredByKind: Map<string, number>;
  releasedAlteredExamples: Map<string, string[]>;
  /** blocked cases with no planted value of a type the policy blocks */
  falseBlocks: string[];
  /**
   * decoys outside rightly blocked outputs (released outputs and false blocks), and how many of them were
   * altered: what the detection cost harmless text, without the decoys a rightful block withholds along
   * with the card number or key it was written next to
   */
  decoysNotRightlyBlocked: number;
  alteredNotRightlyBlocked: number;
}

function scoreCorpus(cases: Case[], results: Released[]): CorpusScore {
  const s: CorpusScore = {
    planted: 0, leaked: 0, advPlanted: 0, advLeaked: 0, decoys: 0, altered: 0, releasedDecoys: 0, releasedAltered: 0, blockedCases: 0, allowedPlanted: 0,
    leakedByType: new Map(), plantedByType: new Map(), leakExamples: new Map(), leakedByEvasion: new Map(), plantedByEvasion: new Map(),
    leakedByForm: new Map(), plantedByForm: new Map(), alteredByKind: new Map(), decoysByKind: new Map(), alteredExamples: new Map(),
    releasedAlteredByKind: new Map(), releasedAlteredExamples: new Map(), falseBlocks: [], decoysNotRightlyBlocked: 0, alteredNotRightlyBlocked: 0,
  };
  cases.forEach((c, i) => {
    const out = (results[i] as Released).output;
    const rightlyBlocked = out === null && c.planted.some((p) => policyBlocks(p.type));
    if (out === null) {
      s.blockedCases++;
      if (!rightlyBlocked) s.falseBlocks.push(c.id);
    }
    const views = out === null ? [] : leakViews(out);
    for (const p of c.planted) {
      if (policyAllows(p.type)) {
        s.allowedPlanted++;
        continue;
      }
      const leaked = out !== null && recoverable(p.value, views);
      s.planted++;
      bump(s.plantedByType, p.type);
      bump(s.plantedByForm, c.form);
      if (p.evasion) {
        s.advPlanted++;
        bump(s.plantedByEvasion, p.evasion);
      }
      if (leaked) {
        s.leaked++;
        bump(s.leakedByType, p.type);
        bump(s.leakedByForm, c.form);
        pushTo(s.leakExamples, p.type, c.id);
        if (p.evasion) {
          s.advLeaked++;
          bump(s.leakedByEvasion, p.evasion);
        }
      }
    }
    for (const d of c.decoys) {
      s.decoys++;
      if (out !== null) s.releasedDecoys++;
      if (!rightlyBlocked) s.decoysNotRightlyBlocked++;
      bump(s.decoysByKind, d.kind);
      if (!decoyIntact(d.value, c.text, out)) {
        s.altered++;
        if (!rightlyBlocked) s.alteredNotRightlyBlocked++;
        if (out !== null) {
          s.releasedAltered++;
          bump(s.releasedAlteredByKind, d.kind);
          pushTo(s.releasedAlteredExamples, d.kind, c.id);
        }
        bump(s.alteredByKind, d.kind);
        pushTo(s.alteredExamples, d.kind, c.id);
      }
    }
  });
  return s;
}

interface TypeScore {
  planted: number;
  hit: number;
  hitAny: number;
  findings: number;
  truePositive: number;
  /** false findings over a planted value of another type, over a decoy, or over neither */
  wrongType: number;
  onDecoy: number;
  elsewhere: number;
  missExamples: string[];
  fpExamples: string[];
}

/** Per-type precision and recall of findings against planted spans (overlap-based). */
function typeScores(cases: Case[], results: Released[]): Map<string, TypeScore> {
  const m = new Map<string, TypeScore>();
  const get = (t: string): TypeScore => {
    let x = m.get(t);
    if (!x) m.set(t, (x = { planted: 0, hit: 0, hitAny: 0, findings: 0, truePositive: 0, wrongType: 0, onDecoy: 0, elsewhere: 0, missExamples: [], fpExamples: [] }));
    return x;
  };
  cases.forEach((c, i) => {
    const findings = (results[i] as Released).findings;
    for (const p of c.planted) {
      const t = get(p.type);
      t.planted++;
      const over = findings.filter((f) => overlaps(f, p));
      if (over.some((f) => f.type === p.type)) t.hit++;
      else t.missExamples.push(c.id);
      if (over.length > 0) t.hitAny++;
    }
    for (const f of findings) {
      const t = get(f.type);
      t.findings++;
      if (c.planted.some((p: Planted) => p.type === f.type && overlaps(f, p))) {
        t.truePositive++;
        continue;
      }
      t.fpExamples.push(c.id);
      if (c.planted.some((p: Planted) => overlaps(f, p))) t.wrongType++;
      else if (c.decoys.some((d) => overlaps(f, d))) t.onDecoy++;
      else t.elsewhere++;
    }
  });
  return m;
}

// -----------------------------------------------------------------------------------------------------
// 2. Presidio's synthetic set
// -----------------------------------------------------------------------------------------------------

/**
 * Presidio-research labels and the Vigil types that correspond. A label with no Vigil type is outside what
 * Vigil detects (no person, organisation, title or age detector; city and country names are not locations
 * in Vigil's sense, which is street addresses and labelled postcodes). NRP (nationality, religious or
 * political group) corresponds, loosely, to Vigil's statement-based special categories.
 * Presidio-research itself scores GPE and STREET_ADDRESS as LOCATION and DOMAIN_NAME as URL.
 */
const PRESIDIO_MAP: Record<string, readonly string[]> = {
  CREDIT_CARD: ['CREDIT_CARD'],
  IBAN_CODE: ['IBAN_CODE'],
  US_SSN: ['US_SSN'],
  EMAIL_ADDRESS: ['EMAIL_ADDRESS'],
  PHONE_NUMBER: ['PHONE_NUMBER'],
  IP_ADDRESS: ['IP_ADDRESS'],
  US_DRIVER_LICENSE: ['US_DRIVER_LICENSE'],
  DATE_TIME: ['DATE_TIME'], // Vigil reports dates of birth only
  STREET_ADDRESS: ['LOCATION'],
  ZIP_CODE: ['LOCATION'],
  DOMAIN_NAME: ['URL'], // allowed by the default policy
  NRP: ['ETHNIC_ORIGIN', 'RELIGION', 'POLITICAL_OPINION'],
  GPE: [],
  PERSON: [],
  ORGANIZATION: [],
  TITLE: [],
  AGE: [],
};

interface PresidioRecord {
  full_text: string;
  spans: Array<{ entity_type: string; entity_value: string; start_position: number; end_position: number }>;
}

/** Code-point offsets (Python) to UTF-16 offsets. */
function utf16Offset(text: string, codePoints: number): number {
  let units = 0;
  let cps = 0;
  for (const ch of text) {
    if (cps === codePoints) break;
    units += ch.length;
    cps++;
  }
  return units;
}

interface LabelScore {
  spans: number;
  leaked: number;
  hit: number;
  hitAny: number;
}

function scorePresidio(records: PresidioRecord[], results: Released[], withFindings: boolean): Map<string, LabelScore> {
  const m = new Map<string, LabelScore>();
  records.forEach((rec, i) => {
    const r = results[i] as Released;
    const views = r.output === null ? [] : leakViews(r.output);
    for (const sp of rec.spans) {
      const start = utf16Offset(rec.full_text, sp.start_position);
      const end = utf16Offset(rec.full_text, sp.end_position);
      let x = m.get(sp.entity_type);
      if (!x) m.set(sp.entity_type, (x = { spans: 0, leaked: 0, hit: 0, hitAny: 0 }));
      x.spans++;
      if (r.output !== null && recoverable(sp.entity_value, views)) x.leaked++;
      if (withFindings) {
        const over = r.findings.filter((f) => overlaps(f, { start, end }));
        if (over.some((f) => (PRESIDIO_MAP[sp.entity_type] ?? []).includes(f.type))) x.hit++;
        if (over.length > 0) x.hitAny++;
      }
    }
  });
  return m;
}

// -----------------------------------------------------------------------------------------------------
// Main
// -----------------------------------------------------------------------------------------------------

function readCorpus(file: string): Case[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Case);
}

async function main(): Promise<void> {
  const cases = readCorpus(CORPUS);
  const texts = cases.map((c) => c.text);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  process.stdout.write(`dlp eval: ${cases.length} dev cases (${cases.filter((c) => c.adversarial).length} adversarial), ${(bytes / 2 ** 20).toFixed(2)} MB; ${rules.rules.length} rules in ${rules.packs.length} packs; ${machine()}\n`);
  const allowed = [...new Set(cases.flatMap((c) => c.planted.map((p) => p.type)))].filter(policyAllows);
  process.stdout.write(`types the default policy allows (left out of the leak figures): ${allowed.join(', ') || 'none'}\n\n`);

  const runs = new Map<string, { results: Released[]; seconds: number; score: CorpusScore }>();
  for (const redactor of REDACTORS) {
    const { results, seconds, p50ms, p99ms } = await runAll(redactor, texts);
    const score = scoreCorpus(cases, results);
    runs.set(redactor.name, { results, seconds, score });
    report(`dlp-eval dev ${redactor.name}`, {
      cases: cases.length,
      planted: score.planted,
      leak_pct: pct(score.leaked, score.planted),
      adversarial_leak_pct: pct(score.advLeaked, score.advPlanted),
      adversarial_planted: score.advPlanted,
      decoys: score.decoys,
      over_redaction_pct: pct(score.altered, score.decoys),
      blocked_cases: score.blockedCases,
      failed_scans: results.filter((r) => r.failed).length,
      blocked_without_block_type: score.falseBlocks.length,
      over_redaction_released_pct: pct(score.releasedAltered, score.releasedDecoys),
      over_redaction_not_rightly_blocked_pct: pct(score.alteredNotRightlyBlocked, score.decoysNotRightlyBlocked),
      mb_per_s: bytes / 2 ** 20 / seconds,
      p50_ms: p50ms,
      p99_ms: p99ms,
    });
  }
  process.stdout.write('targets: leak <= 1 %, adversarial leak <= 3 %, over-redaction <= 2 %\n\n');

  // Breakdowns for every redactor: by evasion, by form, by decoy kind.
  for (const [name, { score }] of runs) {
    report(`dlp-eval dev ${name} leak by evasion`, Object.fromEntries([...score.plantedByEvasion].sort().map(([k, n]) => [k, `${pct(score.leakedByEvasion.get(k) ?? 0, n).toFixed(1)}%/${n}`])));
    report(`dlp-eval dev ${name} leak by form`, Object.fromEntries([...score.plantedByForm].sort().map(([k, n]) => [k, `${pct(score.leakedByForm.get(k) ?? 0, n).toFixed(1)}%/${n}`])));
    report(`dlp-eval dev ${name} over-redaction by decoy kind`, Object.fromEntries([...score.decoysByKind].sort().map(([k, n]) => [k, `${pct(score.alteredByKind.get(k) ?? 0, n).toFixed(1)}%/${n}`])));
  }
  process.stdout.write('\n');

  // Vigil per type.
  const vigilRun = runs.get('vigil') as { results: Released[]; score: CorpusScore };
  const types = typeScores(cases, vigilRun.results);
  const planted = [...types].filter(([, t]) => t.planted > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [type, t] of planted) {
    report(`dlp-eval dev vigil type ${type}`, {
      planted: t.planted,
      recall_pct: pct(t.hit, t.planted),
      any_type_recall_pct: pct(t.hitAny, t.planted),
      precision_pct: pct(t.truePositive, t.findings),
      findings: t.findings,
      leak_pct: policyAllows(type) ? 'allowed' : pct(vigilRun.score.leakedByType.get(type) ?? 0, t.planted),
    });
  }
  const unplanted = [...types].filter(([, t]) => t.planted === 0 && t.findings > 0);
  for (const [type, t] of unplanted) report(`dlp-eval dev vigil type ${type} (never planted)`, { findings: t.findings, examples: t.fpExamples.slice(0, EXAMPLES).join(',') });

  process.stdout.write('\nworst types (Vigil): lowest recall\n');
  for (const [type, t] of [...planted].sort(([, a], [, b]) => a.hit / a.planted - b.hit / b.planted).slice(0, 12)) {
    report(`dlp-eval worst recall ${type}`, { recall_pct: pct(t.hit, t.planted), leak_pct: policyAllows(type) ? 'allowed' : pct(vigilRun.score.leakedByType.get(type) ?? 0, t.planted), missed: t.planted - t.hit, examples: [...new Set(t.missExamples)].slice(0, EXAMPLES).join(',') });
  }
  process.stdout.write('worst types (Vigil): most leaked\n');
  for (const [type, n] of [...vigilRun.score.leakedByType].sort(([, a], [, b]) => b - a).slice(0, 12)) {
    report(`dlp-eval worst leak ${type}`, { leaked: n, of: vigilRun.score.plantedByType.get(type) ?? 0, examples: [...new Set(vigilRun.score.leakExamples.get(type) ?? [])].slice(0, EXAMPLES).join(',') });
  }
  process.stdout.write('worst types (Vigil): lowest precision\n');
  for (const [type, t] of [...types].filter(([, t]) => t.findings > 0).sort(([, a], [, b]) => a.truePositive / a.findings - b.truePositive / b.findings).slice(0, 10)) {
    report(`dlp-eval worst precision ${type}`, { precision_pct: pct(t.truePositive, t.findings), false_findings: t.findings - t.truePositive, on_other_type: t.wrongType, on_decoy: t.onDecoy, elsewhere: t.elsewhere, examples: [...new Set(t.fpExamples)].slice(0, EXAMPLES).join(',') });
  }
  process.stdout.write('most over-redacted decoy kinds (Vigil; "released" counts only outputs that were not blocked)\n');
  for (const [kind, n] of [...vigilRun.score.alteredByKind].sort(([, a], [, b]) => b - a)) {
    report(`dlp-eval over-redaction ${kind}`, {
      altered: n,
      of: vigilRun.score.decoysByKind.get(kind) ?? 0,
      altered_in_released: vigilRun.score.releasedAlteredByKind.get(kind) ?? 0,
      released_examples: [...new Set(vigilRun.score.releasedAlteredExamples.get(kind) ?? [])].slice(0, EXAMPLES).join(',') || '-',
    });
  }
  report('dlp-eval blocked without a secret or card planted (Vigil)', { cases: vigilRun.score.falseBlocks.length, examples: vigilRun.score.falseBlocks.slice(0, 2 * EXAMPLES).join(',') || '-' });

  // The held-out corpus (same generator, another seed; rules were never tuned on it): Vigil alone.
  const holdout = readCorpus(HOLDOUT);
  const held = await runAll(vigil, holdout.map((c) => c.text));
  const heldScore = scoreCorpus(holdout, held.results);
  report('dlp-eval holdout vigil', {
    cases: holdout.length,
    planted: heldScore.planted,
    leak_pct: pct(heldScore.leaked, heldScore.planted),
    adversarial_leak_pct: pct(heldScore.advLeaked, heldScore.advPlanted),
    over_redaction_pct: pct(heldScore.altered, heldScore.decoys),
    blocked_without_block_type: heldScore.falseBlocks.length,
    over_redaction_released_pct: pct(heldScore.releasedAltered, heldScore.releasedDecoys),
    over_redaction_not_rightly_blocked_pct: pct(heldScore.alteredNotRightlyBlocked, heldScore.decoysNotRightlyBlocked),
  });
  report('dlp-eval holdout vigil leak by evasion', Object.fromEntries([...heldScore.plantedByEvasion].sort().map(([k, n]) => [k, `${pct(heldScore.leakedByEvasion.get(k) ?? 0, n).toFixed(1)}%/${n}`])));
  report('dlp-eval holdout vigil most leaked types', Object.fromEntries([...heldScore.leakedByType].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, n]) => [k, `${n}/${heldScore.plantedByType.get(k) ?? 0}`])));

  // 2. Presidio's synthetic set.
  const records = JSON.parse(fs.readFileSync(PRESIDIO, 'utf8')) as PresidioRecord[];
  const ptexts = records.map((r) => r.full_text);
  const pbytes = ptexts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  process.stdout.write(`\npresidio-synth-v2: ${records.length} records, ${records.reduce((n, r) => n + r.spans.length, 0)} spans, ${(pbytes / 1024).toFixed(0)} KB\n`);
  for (const redactor of REDACTORS) {
    const { results, seconds } = await runAll(redactor, ptexts);
    const byLabel = scorePresidio(records, results, redactor === vigil);
    let covered = 0;
    let coveredLeaked = 0;
    let all = 0;
    let allLeaked = 0;
    for (const [label, x] of byLabel) {
      all += x.spans;
      allLeaked += x.leaked;
      const mapped = PRESIDIO_MAP[label] ?? [];
      if (mapped.length > 0 && !mapped.every(policyAllows)) {
        covered += x.spans;
        coveredLeaked += x.leaked;
      }
    }
    report(`dlp-eval presidio ${redactor.name}`, { spans: all, leak_pct: pct(allLeaked, all), mapped_spans: covered, mapped_leak_pct: pct(coveredLeaked, covered), mb_per_s: pbytes / 2 ** 20 / seconds });
    for (const [label, x] of [...byLabel].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const mapped = PRESIDIO_MAP[label] ?? [];
      const fig: Record<string, string | number> = { spans: x.spans, maps_to: mapped.join('|') || 'none', leak_pct: pct(x.leaked, x.spans) };
      if (redactor === vigil) {
        fig.recall_pct = mapped.length > 0 ? pct(x.hit, x.spans) : 'n/a';
        fig.any_type_recall_pct = pct(x.hitAny, x.spans);
      }
      report(`dlp-eval presidio ${redactor.name} ${label}`, fig);
    }
  }
}

await main();
