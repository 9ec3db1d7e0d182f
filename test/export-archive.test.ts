import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportToPath, extractBag, verifyBundleAt, writeBundleTarGz } from '../src/export/index.js';
import { main } from '../src/cli/main.js';
import { vigilInProcess } from './support/verify-helpers.js';
import { buildFixture, scratch, type ExportFixture } from './support/export-fixture.js';

let fx: ExportFixture;
let out: { dir: string; dispose(): void };

beforeAll(async () => {
  fx = await buildFixture();
  out = scratch();
});
afterAll(async () => {
  await fx.dispose();
  out.dispose();
});

async function writeTar(file: string, members: Array<{ name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string; linkname?: string }>): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createGzip(), fs.createWriteStream(file));
  for (const m of members) {
    if (m.type === 'symlink' || m.type === 'link' || m.type === 'directory') pack.entry({ name: m.name, type: m.type, ...(m.linkname === undefined ? {} : { linkname: m.linkname }) });
    else pack.entry({ name: m.name }, m.body ?? 'x');
  }
  pack.finalize();
  await done;
}

describe('vigil export as .tar.gz', () => {
  it('round trip: export to PATH.tar.gz, one top-level folder named like the archive, verifies', async () => {
    const file = path.join(out.dir, 'evidence-2026.tar.gz');
    const summary = await exportToPath(fx.ledger.storage, file, { profile: 'hipaa-audit', signer: fx.signer, exportedBy: 'auditor@test' });
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readdirSync(out.dir).filter((f) => f.includes('partial'))).toEqual([]);
    expect(summary.verifyCommand).toBe(`vigil verify --bundle evidence-2026.tar.gz --key ${fx.firstKey}`);
    const names: string[] = [];
    const extract = tar.extract();
    extract.on('entry', (h, stream, next) => {
      names.push(h.name);
      stream.resume();
      stream.on('end', next);
    });
    await pipeline(fs.createReadStream(file), (await import('node:zlib')).createGunzip(), extract);
    expect(names[0]).toBe('evidence-2026/');
    expect(names).toContain('evidence-2026/bagit.txt');
    expect(names).toContain('evidence-2026/data/entries.jsonl');
    expect(names.every((n) => n.startsWith('evidence-2026/'))).toBe(true);
    const report = await verifyBundleAt(file, fx.firstKey);
    expect(report.failure).toBeUndefined();
    expect(report.size).toBe(summary.entries.total);
    // nothing left behind in the temp folder by the verification: the extracted copy is gone
    const extracted = await extractBag(file);
    expect(fs.existsSync(path.join(extracted.dir, 'bagit.txt'))).toBe(true);
    extracted.dispose();
    expect(fs.existsSync(extracted.dir)).toBe(false);
  });

  it('writeBundleTarGz streams into any Writable (the HTTP route)', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const summary = await writeBundleTarGz(fx.ledger.storage, { profile: 'hipaa-disclosures', signer: fx.signer, exportedBy: 'token:abc', name: 'streamed' }, sink);
    const file = path.join(out.dir, 'streamed.tar.gz');
    fs.writeFileSync(file, Buffer.concat(chunks));
    expect(chunks.length).toBeGreaterThan(0);
    const report = await verifyBundleAt(file, fx.firstKey);
    expect(report.failure).toBeUndefined();
    expect(report.profile).toBe('hipaa-disclosures');
    expect(report.size).toBe(summary.entries.total);
  });

  it('a tampered archive fails', async () => {
    const dir = path.join(out.dir, 'plain');
    await exportToPath(fx.ledger.storage, dir, { profile: 'hipaa-audit', signer: fx.signer, exportedBy: 'a' });
    fs.appendFileSync(path.join(dir, 'data/erasures.csv'), 'x');
    const file = path.join(out.dir, 'tampered.tar.gz');
    const { packBag } = await import('../src/export/index.js');
    await packBag(dir, 'tampered', fs.createWriteStream(file));
    const report = await verifyBundleAt(file, fx.firstKey);
    expect(report.failure).toMatchObject({ code: 'FILE_CHECKSUM', file: 'data/erasures.csv' });
  });

  it.each([
    ['path traversal', [{ name: 'bag/bagit.txt' }, { name: 'bag/../../escape.txt' }]],
    ['an absolute path', [{ name: '/tmp/bag/bagit.txt' }]],
    ['a symlink', [{ name: 'bag/bagit.txt' }, { name: 'bag/data/link', type: 'symlink', linkname: '/etc/passwd' }]],
    ['a hard link', [{ name: 'bag/bagit.txt' }, { name: 'bag/data/hard', type: 'link', linkname: 'bag/bagit.txt' }]],
    ['two top-level folders', [{ name: 'bag/bagit.txt' }, { name: 'other/bagit.txt' }]],
    ['a duplicate member', [{ name: 'bag/bagit.txt' }, { name: 'bag/bagit.txt' }]],
  ] as const)('an archive with %s is refused (ARCHIVE_UNSAFE) and nothing escapes', async (_what, members) => {
    const file = path.join(out.dir, `unsafe-${Math.random().toString(36).slice(2)}.tar.gz`);
    await writeTar(file, members as unknown as Parameters<typeof writeTar>[1]);
    const report = await verifyBundleAt(file, fx.firstKey);
    expect(report.ok).toBe(false);
    expect(report.failure?.code).toBe('ARCHIVE_UNSAFE');
    expect(fs.existsSync(path.join(out.dir, '..', 'escape.txt'))).toBe(false);
  });

  it('a file that is not a gzip archive is refused', async () => {
    const file = path.join(out.dir, 'junk.tar.gz');
    fs.writeFileSync(file, 'not an archive');
    expect((await verifyBundleAt(file, fx.firstKey)).failure?.code).toBe('ARCHIVE_UNSAFE');
  });
});

describe('the vigil export command', () => {
  function capture(): { restore(): { out: string; err: string } } {
    const o = process.stdout.write.bind(process.stdout);
    const e = process.stderr.write.bind(process.stderr);
    let out = '';
    let err = '';
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    return {
      restore: () => {
        process.stdout.write = o;
        process.stderr.write = e;
        return { out, err };
      },
    };
  }

  it('writes a bag signed with the data directory\'s active key; usage errors are one line and exit 2', async () => {
    const file = path.join(out.dir, 'cli.tar.gz');
    let c = capture();
    const code = await main(['--data-dir', fx.dataDir, 'export', '--profile', 'hipaa-audit', '--agent', 'triage-bot', '--out', file, '--exported-by', 'cli-test', '--json']);
    let r = c.restore();
    expect(r.err).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(r.out) as { entries: { selected: number }; checkpoint: { size: number } };
    expect(summary.entries.selected).toBeGreaterThan(0);
    expect((await verifyBundleAt(file, fx.firstKey)).ok).toBe(true);

    // The auditor's command checks the same bag offline, and fails a tampered copy of it.
    const verified = await vigilInProcess(['verify', '--bundle', file, '--key', fx.firstKey, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ source: 'bundle', ok: true, profile: 'hipaa-audit' });
    const human = await vigilInProcess(['verify', '--bundle', file, '--key', fx.firstKey]);
    expect(human.stdout).toMatch(/result: +VERIFIED/);
    const dir = path.join(out.dir, 'cli-bag');
    const made = await vigilInProcess(['--data-dir', fx.dataDir, 'export', '--profile', 'hipaa-audit', '--out', dir]);
    expect(made.code, made.stderr).toBe(0);
    const entries = path.join(dir, 'data', 'entries.jsonl');
    const bytes = fs.readFileSync(entries);
    bytes[10] = bytes[10] === 0x41 ? 0x42 : 0x41;
    fs.writeFileSync(entries, bytes);
    const tampered = await vigilInProcess(['verify', '--bundle', dir, '--key', fx.firstKey]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/result: +FAILED \(FILE_CHECKSUM\) at file data\/entries.jsonl/);

    c = capture();
    const again = await main(['--data-dir', fx.dataDir, 'export', '--profile', 'hipaa-audit', '--out', file]);
    r = c.restore();
    expect(again).toBe(2);
    expect(r.err).toMatch(/^vigil: .*already exists.*\n$/);

    c = capture();
    const raw = await main(['--data-dir', fx.dataDir, 'export', '--profile', 'gdpr-records', '--raw-payloads', '--out', path.join(out.dir, 'x')]);
    r = c.restore();
    expect(raw).toBe(2);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(fs.existsSync(path.join(out.dir, 'x'))).toBe(false);
  });
});
