/**
 * What every `vigil verify` source shares (a ledger file, a service, later an evidence bundle): the trusted
 * key from a string or a file, the pin file (read, and written atomically), the progress bar, printing the
 * result and its exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import { VigilError } from '../../errors.js';
import { parseVerifierKey } from '../../tlog/index.js';
import { EXIT_FAILED, EXIT_VERIFIED, formatText, toJson, type AuditResult, type RangeOptions } from '../../audit/index.js';

/** Where `vigil verify` writes; the process streams unless a caller (a test) runs the command in-process. */
export interface VerifyIo {
  stdout: { write(text: string): unknown };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): VerifyIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Exit codes of in-process runs (a test's io), so that concurrent runs do not share process.exitCode. */
const verdicts = new WeakMap<VerifyIo, number>();

export function setVerdict(io: VerifyIo, code: number): void {
  verdicts.set(io, code);
}

/** The exit code an in-process run against `io` ended with, if it reached a verdict. */
export function verdictOf(io: VerifyIo): number | undefined {
  return verdicts.get(io);
}

/**
 * The trusted verifier key: `arg` itself, or, when `arg` names an existing file, the file's content
 * (trimmed). Never echoes the file's content: someone may point it at a signing key file by mistake.
 */
export function readVerifierKey(arg: string): string {
  let text = arg;
  let file: string | undefined;
  let isFile = false;
  try {
    isFile = fs.statSync(arg).isFile();
  } catch {
    isFile = false;
  }
  if (isFile) {
    file = arg;
    try {
      text = fs.readFileSync(arg, 'utf8').trim();
    } catch (e) {
      throw new VigilError('IO_ERROR', `--key: cannot read ${arg}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, { cause: e });
    }
  }
  try {
    return parseVerifierKey(text).text;
  } catch (e) {
    const why = (e as Error).message.replace(/^invalid verifier key: /, '');
    if (file !== undefined) throw new VigilError('INVALID_VERIFIER_KEY', `--key: ${file} does not hold a verifier key string <name>+<key id>+<base64 key> (${why})`);
    throw new VigilError('INVALID_VERIFIER_KEY', `--key: neither a verifier key string <name>+<key id>+<base64 key> (${why}) nor an existing file`);
  }
}

export interface PinInput {
  file: string;
  /** the pinned note, undefined on first use */
  note: string | undefined;
  firstUse: boolean;
}

/** Reads the pin file. A missing file is first use when `update` is set (trust on first use), else an error. */
export function readPin(file: string, update: boolean): PinInput {
  try {
    return { file, note: fs.readFileSync(file, 'utf8'), firstUse: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && update) return { file, note: undefined, firstUse: true };
    if (code === 'ENOENT') throw new VigilError('IO_ERROR', `--pin: ${file} does not exist (add --update-pin to create it: trust on first use)`);
    throw new VigilError('IO_ERROR', `--pin: cannot read ${file}: ${code ?? (e as Error).message}`, undefined, { cause: e });
  }
}

/** Writes `note` to `file` atomically: a temporary file in the same folder, flushed, then renamed over it. */
export function writePinAtomically(file: string, note: string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, note);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new VigilError('IO_ERROR', `--update-pin: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, undefined, { cause: e });
  }
  try {
    // Make the rename itself durable where the platform allows syncing a folder.
    const d = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(d);
    } finally {
      fs.closeSync(d);
    }
  } catch {
    // not supported here (e.g. Windows): the file is written, its directory entry flushed by the OS later
  }
}

/** Shown only on a terminal, only without --json, and only once the run has taken more than this. */
export const PROGRESS_DELAY_MS = 500;

/**
 * A progress bar on stderr that appears only when stderr is a terminal, --json is off, and the run has
 * lasted PROGRESS_DELAY_MS; it clears itself when done. Updates come from the verification's progress
 * callbacks, which also run while the main thread is busy verifying (the bar's own timer would not).
 */
export class Progress {
  readonly #enabled: boolean;
  readonly #stream: VerifyIo['stderr'];
  readonly #started = Date.now();
  #bar: SingleBar | undefined;
  #label = '';
  #total = 0;
  #value = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(io: VerifyIo, json: boolean) {
    this.#stream = io.stderr;
    this.#enabled = !json && io.stderr.isTTY === true;
    if (this.#enabled) {
      this.#timer = setTimeout(() => this.#show(), PROGRESS_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** A new stage (fetching, verifying, payloads) with its own total. */
  stage(label: string, total: number): void {
    this.#label = label;
    this.#total = Math.max(total, 1);
    this.#value = 0;
    this.#bar?.start(this.#total, 0, { stage: label });
  }

  update(value: number): void {
    this.#value = value;
    if (!this.#enabled) return;
    if (!this.#bar && Date.now() - this.#started >= PROGRESS_DELAY_MS) this.#show();
    this.#bar?.update(value, { stage: this.#label });
  }

  #show(): void {
    if (this.#bar || !this.#enabled) return;
    this.#bar = new SingleBar({
      stream: this.#stream,
      format: '{stage} [{bar}] {percentage}% {value}/{total} entries, {eta_formatted} left',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    });
    this.#bar.start(this.#total, this.#value, { stage: this.#label });
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#bar?.stop();
    this.#bar = undefined;
  }
}

/** The options of a range check (`--from`/`--to`) as every source gives them, with the progress bar fed. */
export function rangeCheckOptions(
  options: { trustedKey: string; pinned?: string | undefined; range?: { from?: number | undefined; to?: number | undefined } | undefined; progress: Progress },
): RangeOptions {
  let total = 0;
  return {
    trustedKey: options.trustedKey,
    from: options.range?.from,
    to: options.range?.to,
    pinned: options.pinned,
    onProgress: (checked, all) => {
      if (all !== total) options.progress.stage('checking range', (total = all));
      options.progress.update(checked);
    },
  };
}

/** Prints the result (text or JSON) on stdout and returns the exit code: 0 verified, 1 failed. */
export function printResult(io: VerifyIo, result: AuditResult, json: boolean): number {
  io.stdout.write(json ? JSON.stringify(toJson(result)) + '\n' : formatText(result));
  return result.ok ? EXIT_VERIFIED : EXIT_FAILED;
}
