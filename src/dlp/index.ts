export * from './types.js';
export { DlpEngine, DEFAULT_TIME_BUDGET_MS, type DlpEngineOptions, type ScanOptions, type FailedScanResult } from './engine.js';
export { loadRuleSet, loadPackFile, shippedRulesDir, type RuleSet, type CompiledRule } from './rules.js';
export { loadPolicy, compilePolicy, defaultPolicyFile, type Policy } from './policy.js';
export { runRuleExamples, EXAMPLE_REPORT_SCORE, type ExampleSummary, type ExampleFailure } from './examples.js';
export { checkLinearTime } from './regex-safety.js';
export { loadOrCreatePseudonymKey, loadOrCreateSecretKey, loadSecretKey, PSEUDONYM_KEY_FILE } from './pseudonym-key.js';
export { DlpStream, DEFAULT_HOLDBACK, DEFAULT_MIN_STEP, streamStep, streamFinish, streamHoldback, stepDue, type StreamOptions, type StreamEnd, type StepOptions, type StepResult } from './stream.js';
