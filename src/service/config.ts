/**
 * The service's configuration: defaults, then a config file (JSON or YAML, `--config FILE` or
 * VIGIL_CONFIG), then environment variables, then command-line flags; validated once at start-up, with the
 * offending key named. Everything has a default, so `vigil serve` runs on an empty directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../errors.js';
import { DEFAULT_TIME_BUDGET_MS, defaultPolicyFile, shippedRulesDir } from '../dlp/index.js';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const configSchema = z.strictObject({
  dataDir: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  /** largest request body accepted (bytes); larger ones get 413 */
  bodyLimitBytes: z.number().int().min(1024).max(256 * 1024 * 1024),
  /** budget of one DLP scan, queue time included (ms); past it the answer is 503, nothing released */
  dlpTimeBudgetMs: z.number().int().min(1).max(60_000),
  /** DLP worker threads; 0: the cores minus one (at least one) */
  dlpWorkers: z.number().int().min(0).max(64),
  /** rule pack folders: the shipped packs, then any of the user's */
  rulesDirs: z.array(z.string().min(1)).min(1),
  policyFile: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  /** scan recorded payloads for data subjects and index their pseudonyms (src/subjects) */
  subjectIndex: z.boolean(),
});

export type ServiceConfig = z.infer<typeof configSchema>;

export function defaultConfig(dataDir: string): ServiceConfig {
  return {
    dataDir,
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    bodyLimitBytes: DEFAULT_BODY_LIMIT,
    dlpTimeBudgetMs: DEFAULT_TIME_BUDGET_MS,
    dlpWorkers: 0,
    rulesDirs: [shippedRulesDir()],
    policyFile: defaultPolicyFile(),
    logLevel: 'info',
    subjectIndex: true,
  };
}

/** Environment variables and the config keys they set (numbers parsed, lists comma-separated). */
const ENV: Record<string, keyof ServiceConfig> = {
  VIGIL_DATA_DIR: 'dataDir',
  VIGIL_HOST: 'host',
  VIGIL_PORT: 'port',
  VIGIL_BODY_LIMIT_BYTES: 'bodyLimitBytes',
  VIGIL_DLP_TIME_BUDGET_MS: 'dlpTimeBudgetMs',
  VIGIL_DLP_WORKERS: 'dlpWorkers',
  VIGIL_RULES_DIRS: 'rulesDirs',
  VIGIL_POLICY_FILE: 'policyFile',
  VIGIL_LOG_LEVEL: 'logLevel',
  VIGIL_SUBJECT_INDEX: 'subjectIndex',
};
const NUMERIC: ReadonlySet<keyof ServiceConfig> = new Set(['port', 'bodyLimitBytes', 'dlpTimeBudgetMs', 'dlpWorkers']);

function fromEnv(env: NodeJS.ProcessEnv): Partial<Record<keyof ServiceConfig, unknown>> {
  const out: Partial<Record<keyof ServiceConfig, unknown>> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (NUMERIC.has(key)) out[key] = /^-?\d+$/.test(value) ? Number(value) : value;
    else if (key === 'subjectIndex') out[key] = value === 'true' ? true : value === 'false' ? false : value;
    else if (key === 'rulesDirs') out[key] = [shippedRulesDir(), ...value.split(',').filter((d) => d !== '')];
    else out[key] = value;
  }
  return out;
}

function fromFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new VigilError('CONFIG_INVALID', `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new VigilError('CONFIG_INVALID', `${file} does not parse: ${e instanceof Error ? e.message.split('\n')[0] : 'error'}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new VigilError('CONFIG_INVALID', `${file} must hold a mapping of settings`);
  return value as Record<string, unknown>;
}

/**
 * Builds the configuration: defaults < file < environment < flags. Relative paths are taken from the
 * working directory. Throws CONFIG_INVALID naming the key and the source it came from.
 */
export function loadConfig(options: { file?: string | undefined; env?: NodeJS.ProcessEnv; flags?: Partial<ServiceConfig>; defaultDataDir: string }): ServiceConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? (env.VIGIL_CONFIG || undefined);
  const merged = {
    ...defaultConfig(options.defaultDataDir),
    ...(file === undefined ? {} : fromFile(file)),
    ...fromEnv(env),
    ...Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined)),
  };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path.map(String).join('.') || '(root)';
    const envName = Object.entries(ENV).find(([, k]) => k === issue?.path[0])?.[0];
    throw new VigilError('CONFIG_INVALID', `configuration "${key}"${envName ? ` (or ${envName})` : ''}: ${issue?.message ?? 'invalid'}`, { path: key });
  }
  const config = result.data;
  return { ...config, dataDir: path.resolve(config.dataDir), rulesDirs: config.rulesDirs.map((d) => path.resolve(d)), policyFile: path.resolve(config.policyFile) };
}
