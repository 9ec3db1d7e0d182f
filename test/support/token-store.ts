/** Shared by the TokenStore tests: a temp folder per store, and the error code a call fails with. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { isVigilError } from '../../src/errors.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh folder under the OS temp folder, removed after the test. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tokens-'));
  dirs.push(d);
  return d;
}

/** The VigilError code `f` throws ('OTHER' for any other error), undefined when it does not throw. */
export function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isVigilError(e) ? e.code : 'OTHER';
  }
  return undefined;
}
