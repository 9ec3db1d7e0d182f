/** Runs the `vigil` command as a user does: a real process (`node --import tsx src/cli/run.ts …`). */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `vigil …args` to completion; VIGIL_DATA_DIR and VIGIL_ORIGIN are removed from the environment unless `env` sets them. */
export function runVigil(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<ProcessResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.VIGIL_DATA_DIR;
  delete env.VIGIL_ORIGIN;
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined); // the command may stop reading early (a bad line)
    child.stdin.end(options.input ?? '');
  });
}
