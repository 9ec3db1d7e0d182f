/**
 * Evidence exports over HTTP (POST /v1/exports): the bag is built in a worker thread, one export at a time
 * (building one is CPU-heavy: reads, proofs, DLP redaction), so agents' appends and filters keep flowing;
 * then it is streamed as .tar.gz and its temporary folder removed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { VigilError, type ErrorDetails, type VigilErrorCode } from '../errors.js';
import { PROFILE_NAMES, packBag, type ExportFilter } from '../export/index.js';
import { launchWorker } from '../ledger/worker-launch.js';

export const exportRequestSchema = z.strictObject({
  profile: z.enum(PROFILE_NAMES),
  from: z.string().min(1).max(64).optional(),
  to: z.string().min(1).max(64).optional(),
  agent: z.string().min(1).max(256).optional(),
  session: z.string().min(1).max(256).optional(),
  task: z.string().min(1).max(256).optional(),
  /** a data subject's identifier; looked up through the subject index, never recorded */
  subject: z.string().min(1).max(1024).optional(),
  kinds: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/)).min(1).max(64).optional(),
  rawPayloads: z.boolean().optional(),
  /** a previous export's checkpoint.txt: the bag proves this ledger extends it */
  sinceCheckpoint: z.string().min(1).max(16384).optional(),
});
export type ExportRequest = z.infer<typeof exportRequestSchema>;

export interface ExportJob {
  dataDir: string;
  profile: string;
  filter: ExportFilter;
  rawPayloads: boolean;
  sinceCheckpoint?: string;
  exportedBy: string;
  rulesDirs: string[];
  policyFile: string;
  pseudonymKeyHex: string;
  subjectKeyHex?: string;
}

export type ExportJobReply =
  | { ok: true; name: string; dir: string; entries: number; checkpointSize: number }
  | { ok: false; code: string; message: string; details?: ErrorDetails };

/** A bag built and waiting to be streamed. */
export interface BuiltExport {
  name: string;
  entries: number;
  checkpointSize: number;
  /** streams the bag as .tar.gz into `output` and removes it */
  stream(output: Writable): Promise<void>;
  /** removes it without streaming */
  dispose(): void;
}

export class ExportRunner {
  #last: Promise<unknown> = Promise.resolve();

  /** Builds one bag (after the exports before it); a bad request or a failure comes back as a VigilError. */
  build(job: ExportJob): Promise<BuiltExport> {
    const run = this.#last.then(() => this.#run(job));
    this.#last = run.catch(() => undefined);
    return run;
  }

  #run(job: ExportJob): Promise<BuiltExport> {
    return new Promise((resolve, reject) => {
      const worker = launchWorker(new URL('./export-worker.js', import.meta.url), { workerData: job });
      let settled = false;
      worker.once('message', (reply: ExportJobReply) => {
        settled = true;
        void worker.terminate();
        if (!reply.ok) {
          reject(new VigilError(reply.code as VigilErrorCode, reply.message, reply.details));
          return;
        }
        const tmp = path.dirname(reply.dir);
        const dispose = (): void => fs.rmSync(tmp, { recursive: true, force: true });
        resolve({
          name: reply.name,
          entries: reply.entries,
          checkpointSize: reply.checkpointSize,
          stream: async (output) => {
            try {
              await packBag(reply.dir, reply.name, output);
            } finally {
              dispose();
            }
          },
          dispose,
        });
      });
      worker.once('error', () => {
        if (!settled) reject(new VigilError('INTERNAL', 'the export failed'));
        settled = true;
      });
      worker.once('exit', () => {
        if (!settled) reject(new VigilError('INTERNAL', 'the export stopped before it finished'));
        settled = true;
      });
    });
  }
}
