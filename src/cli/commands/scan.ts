/**
 * `vigil scan` and `vigil rules test`. The scan output formats are a contract:
 * - `--format json`: one text on stdin → the result object `{decision, output, findings}` as one JSON line;
 * - `--format jsonl --input FILE`: lines `{"id","text"}` → lines `{"id","decision","output","findings"}`, in
 *   order, in one process;
 * - default (people): the released text on stdout, a table of findings on stderr (never the values).
 * Exit codes: 0 allow or redact, 3 blocked (jsonl: any case blocked), 2 usage or input error.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Command, Option } from 'commander';
import { VigilError } from '../../errors.js';
import {
  DlpEngine,
  defaultPolicyFile,
  loadOrCreatePseudonymKey,
  loadPolicy,
  loadRuleSet,
  runRuleExamples,
  shippedRulesDir,
  type ScanResult,
} from '../../dlp/index.js';
import { parseStrictJson } from '../../tlog/index.js';
import { globalOptions } from '../options.js';

export const EXIT_BLOCKED = 3;

interface DlpOptions {
  rules?: string[];
  policy?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function engineFor(cmd: Command, opts: DlpOptions, withKey: boolean): DlpEngine {
  const rules = loadRuleSet([shippedRulesDir(), ...(opts.rules ?? [])]);
  const policy = loadPolicy(opts.policy ?? defaultPolicyFile());
  const pseudonymKey = withKey ? loadOrCreatePseudonymKey(globalOptions(cmd).dataDir) : undefined;
  return new DlpEngine({ rules, policy, ...(pseudonymKey ? { pseudonymKey } : {}) });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const bytes = Buffer.concat(chunks);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new VigilError('INVALID_INPUT', 'the input is not valid UTF-8');
  }
}

function table(result: ScanResult): string {
  if (result.findings.length === 0) return `decision: ${result.decision}; no findings\n`;
  const rows = result.findings.map((f) => [`${f.start}-${f.end}`, f.type, f.action, f.score.toFixed(2), f.rule]);
  const head = ['span', 'type', 'action', 'score', 'rule'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd() + '\n';
  return `decision: ${result.decision}; ${result.findings.length} finding(s)\n` + line(head) + rows.map(line).join('');
}

export function scanCommand(): Command {
  return new Command('scan')
    .description('find regulated data in text and print what may be released')
    .addOption(new Option('--format <format>', 'human, json (one text on stdin) or jsonl (lines {"id","text"})').choices(['human', 'json', 'jsonl']).default('human'))
    .option('--input <file>', 'read from this file instead of stdin')
    .option('--rules <dir>', 'also load the rule packs in this folder (repeatable)', collect)
    .option('--policy <file>', 'policy YAML (default: data/policy/default.yaml)')
    .option('--destination <name>', "where the output goes (selects the policy's overrides)")
    .action(async (opts: DlpOptions & { format: 'human' | 'json' | 'jsonl'; input?: string; destination?: string }, cmd: Command) => {
      const engine = engineFor(cmd, opts, true);
      const scanOptions = opts.destination === undefined ? {} : { destination: opts.destination };
      const input = (): NodeJS.ReadableStream => {
        if (opts.input === undefined) return process.stdin;
        if (!fs.existsSync(opts.input)) throw new VigilError('IO_ERROR', `${opts.input}: no such file`);
        return fs.createReadStream(opts.input);
      };
      if (opts.format !== 'jsonl') {
        const result = engine.scan(await readAll(input()), scanOptions);
        if (opts.format === 'json') {
          process.stdout.write(JSON.stringify(result) + '\n');
        } else {
          if (result.output !== null) process.stdout.write(result.output);
          process.stderr.write(table(result));
        }
        process.exitCode = result.decision === 'block' ? EXIT_BLOCKED : 0;
        return;
      }
      let blocked = false;
      const rl = readline.createInterface({ input: input(), crlfDelay: Infinity });
      let line = 0;
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        let item: unknown;
        try {
          item = parseStrictJson(text);
        } catch (e) {
          throw new VigilError('INVALID_INPUT', `line ${line}: ${(e as Error).message.replace(/ at line 1, column (\d+)/, ' at column $1')}; lines before it were printed`, { line });
        }
        if (typeof item !== 'object' || item === null || Array.isArray(item) || typeof (item as { text?: unknown }).text !== 'string') {
          throw new VigilError('INVALID_INPUT', `line ${line}: expected {"id", "text"} with a string text; lines before it were printed`, { line });
        }
        const { id, text: body } = item as { id?: unknown; text: string };
        const result = engine.scan(body, scanOptions);
        if (result.decision === 'block') blocked = true;
        process.stdout.write(JSON.stringify({ id: id ?? null, decision: result.decision, output: result.output, findings: result.findings }) + '\n');
      }
      process.exitCode = blocked ? EXIT_BLOCKED : 0;
    });
}

export function rulesCommand(): Command {
  const rules = new Command('rules').description('rule packs: test their examples');
  rules
    .command('test')
    .description('run every match/nomatch example of every rule and print a summary (exit 1 if any fails)')
    .option('--rules <dir>', 'also load the rule packs in this folder (repeatable)', collect)
    .option('--only-user', 'test only the rules from --rules folders')
    .action((opts: DlpOptions & { onlyUser?: boolean }, cmd: Command) => {
      const engine = engineFor(cmd, opts, false);
      const userDirs = (opts.rules ?? []).map((d) => fs.realpathSync(d));
      const selected = opts.onlyUser ? engine.rules.rules.filter((r) => userDirs.some((d) => fs.realpathSync(r.file).startsWith(d))) : engine.rules.rules;
      const summary = runRuleExamples(engine, selected);
      for (const f of summary.failures) {
        const expected = f.kind === 'match' ? 'should be reported' : 'should not be reported';
        process.stdout.write(`FAIL ${f.rule} (${f.file}) ${f.kind} example ${f.example} ${expected}, best score ${f.score.toFixed(2)}: ${JSON.stringify(f.text)}\n`);
      }
      for (const id of summary.untested) process.stdout.write(`WARN ${id}: needs at least one match and one nomatch example\n`);
      process.stdout.write(`rules: ${summary.rules}, examples: ${summary.examples}, passed: ${summary.passed}, failed: ${summary.failures.length}\n`);
      process.exitCode = summary.failures.length > 0 ? 1 : 0;
    });
  return rules;
}
