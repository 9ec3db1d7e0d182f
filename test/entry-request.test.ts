import { describe, expect, it } from 'vitest';
import { parseAppendRequest } from '../src/entry/index.js';
import { VigilError } from '../src/errors.js';

function errorOf(input: unknown): VigilError {
  try {
    parseAppendRequest(input);
  } catch (e) {
    if (e instanceof VigilError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('append requests', () => {
  it('accepts the documented fields', () => {
    expect(parseAppendRequest({ kind: 'tool_result', agent: 'a', session: 's', task: 't', meta: { n: 1 }, payload: [1, 'two'] })).toMatchObject({ kind: 'tool_result' });
  });

  it('rejects an unknown field and names its path', () => {
    const e = errorOf({ kind: 'prompt', agent: 'a', payload: 'x', ts: '2020-01-01T00:00:00.000Z' });
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toContain('ts');
  });

  it('rejects a caller trying to write an erasure or key_rotation entry', () => {
    expect(errorOf({ kind: 'erasure', agent: 'a', payload: 'x' }).details?.path).toBe('$.kind');
    expect(errorOf({ kind: 'key_rotation', agent: 'a', payload: 'x' }).details?.path).toBe('$.kind');
  });

  it('rejects a missing agent, an empty agent and control characters in names', () => {
    expect(errorOf({ kind: 'prompt', payload: 'x' }).details?.path).toBe('$.agent');
    expect(errorOf({ kind: 'prompt', agent: '', payload: 'x' }).details?.path).toBe('$.agent');
    expect(errorOf({ kind: 'prompt', agent: 'a\nb', payload: 'x' }).details?.path).toBe('$.agent');
  });

  it('rejects integers beyond 2^53 in meta, naming where', () => {
    const e = errorOf({ kind: 'prompt', agent: 'a', meta: { ids: [1, 2 ** 60] }, payload: 'x' });
    expect(e.details?.path).toBe('$.meta.ids[1]');
  });

  it('rejects a meta object larger than 8 KiB', () => {
    expect(errorOf({ kind: 'prompt', agent: 'a', meta: { big: 'x'.repeat(9000) }, payload: 'x' }).details?.path).toBe('$.meta');
  });

  it('rejects a kind that is not lower-case snake case', () => {
    expect(errorOf({ kind: 'Prompt', agent: 'a', payload: 'x' }).details?.path).toBe('$.kind');
  });
});
