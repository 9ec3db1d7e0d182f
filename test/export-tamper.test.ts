import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle, writeBundle, type BundleFailureCode } from '../src/export/index.js';
import { manifestText, payloadOxum, sha512File, type FileDigest } from '../src/export/bagit.js';
import { NoteSigner, randomBytes } from '../src/tlog/index.js';
import { ALICE, buildFixture, scanningLookup, scratch, type ExportFixture } from './support/export-fixture.js';

let fx: ExportFixture;
let out: { dir: string; dispose(): void };
let pristine: string;
let raw: string;
let n = 0;

beforeAll(async () => {
  fx = await buildFixture();
  out = scratch();
  pristine = path.join(out.dir, 'pristine');
  raw = path.join(out.dir, 'raw');
  const common = { signer: fx.signer, exportedBy: 'auditor@test', subjects: scanningLookup(fx.ledger.storage) };
  await writeBundle(fx.ledger.storage, pristine, { ...common, profile: 'gdpr-access', filter: { subject: ALICE } });
  await writeBundle(fx.ledger.storage, raw, { ...common, profile: 'gdpr-access', filter: { subject: ALICE }, rawPayloads: true });
});
afterAll(async () => {
  await fx.dispose();
  out.dispose();
});

function copy(from = pristine): string {
  const dir = path.join(out.dir, `copy-${++n}`);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

function payloadFile(dir: string): string {
  const f = fs.readdirSync(path.join(dir, 'data/payloads')).sort()[0] as string;
  return `data/payloads/${f}`;
}

function flipByte(file: string, at: (size: number) => number = (s) => Math.floor(s / 2)): void {
  const bytes = fs.readFileSync(file);
  const i = at(bytes.length);
  bytes[i] = (bytes[i] as number) ^ 0x01;
  fs.writeFileSync(file, bytes);
}

function files(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(dir, path.posix.join(rel, d.name)) : [path.posix.join(rel, d.name)]));
}

/** What someone holding a signing key would do after editing the data: recompute every manifest and sign again. */
function reseal(dir: string, signer: NoteSigner): void {
  const digest = (rel: string): FileDigest => ({ path: rel, ...sha512File(path.join(dir, rel)) });
  const data = files(dir).filter((f) => f.startsWith('data/')).map(digest);
  fs.writeFileSync(path.join(dir, 'manifest-sha512.txt'), manifestText(data));
  const infoFile = path.join(dir, 'bag-info.txt');
  fs.writeFileSync(infoFile, fs.readFileSync(infoFile, 'utf8').replace(/^Payload-Oxum: .*$/m, `Payload-Oxum: ${payloadOxum(data)}`));
  const tags = manifestText(['bagit.txt', 'bag-info.txt', 'manifest-sha512.txt'].map(digest));
  fs.writeFileSync(path.join(dir, 'tagmanifest-sha512.txt'), tags);
  fs.writeFileSync(path.join(dir, 'tagmanifest-sha512.txt.sig'), signer.sign(tags));
}

function expectFailure(dir: string, code: BundleFailureCode, file?: string): void {
  const report = verifyBundle(dir, fx.firstKey);
  expect(report.ok).toBe(false);
  expect(report.failure?.code).toBe(code);
  if (file !== undefined) expect(report.failure?.file).toBe(file);
  expect(report.failure?.message.length).toBeGreaterThan(10);
}

describe('verifyBundle: tampering', () => {
  it('the untouched bags verify', () => {
    expect(verifyBundle(pristine, fx.firstKey).failure).toBeUndefined();
    expect(verifyBundle(raw, fx.firstKey).failure).toBeUndefined();
  });

  it.each([
    ['a byte in entries.jsonl', 'data/entries.jsonl'],
    ['a byte in proofs.json', 'data/proofs.json'],
    ['a byte in checkpoint.txt', 'data/checkpoint.txt'],
    ['a byte in keys.txt', 'data/keys.txt'],
    ['a byte in report.html', 'data/report.html'],
    ['a byte in disclosures.csv', 'data/disclosures.csv'],
    ['a byte in bag-info.txt', 'bag-info.txt'],
    ['a byte in manifest-sha512.txt', 'manifest-sha512.txt'],
  ])('%s fails with FILE_CHECKSUM naming the file', (_what, rel) => {
    const dir = copy();
    flipByte(path.join(dir, rel), rel === 'manifest-sha512.txt' ? () => 3 : undefined);
    expectFailure(dir, 'FILE_CHECKSUM', rel);
  });

  it('a byte in a payload fails with FILE_CHECKSUM naming the payload', () => {
    const dir = copy();
    const rel = payloadFile(dir);
    flipByte(path.join(dir, rel), () => 0);
    expectFailure(dir, 'FILE_CHECKSUM', rel);
  });

  it('an edited tag manifest no longer matches its signature', () => {
    const dir = copy();
    flipByte(path.join(dir, 'tagmanifest-sha512.txt'), () => 0);
    expectFailure(dir, 'SIGNATURE_INVALID', 'tagmanifest-sha512.txt');
  });

  it('bagit.txt changed', () => {
    const dir = copy();
    fs.writeFileSync(path.join(dir, 'bagit.txt'), 'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n');
    expectFailure(dir, 'BAGIT_MALFORMED', 'bagit.txt');
  });

  it('an added file, in data/ or at the top, is in no manifest', () => {
    const a = copy();
    fs.writeFileSync(path.join(a, 'data/extra.txt'), 'hello');
    expectFailure(a, 'FILE_UNLISTED', 'data/extra.txt');
    const b = copy();
    fs.writeFileSync(path.join(b, 'notes.txt'), 'hello');
    expectFailure(b, 'FILE_UNLISTED', 'notes.txt');
  });

  it('a removed file is missing; a removed signature is missing', () => {
    const a = copy();
    const rel = payloadFile(a);
    fs.rmSync(path.join(a, rel));
    expectFailure(a, 'FILE_MISSING', rel);
    const b = copy();
    fs.rmSync(path.join(b, 'data/proofs.json'));
    expectFailure(b, 'FILE_MISSING', 'data/proofs.json');
    const c = copy();
    fs.rmSync(path.join(c, 'tagmanifest-sha512.txt.sig'));
    expectFailure(c, 'SIGNATURE_MISSING');
  });

  it('a swapped signature (another key signing the same manifest) does not verify', () => {
    const dir = copy();
    const other = new NoteSigner('attacker.example/key', randomBytes(32));
    fs.writeFileSync(path.join(dir, 'tagmanifest-sha512.txt.sig'), other.sign(fs.readFileSync(path.join(dir, 'tagmanifest-sha512.txt'), 'utf8')));
    expectFailure(dir, 'SIGNATURE_INVALID', 'tagmanifest-sha512.txt.sig');
  });

  it('an outsider who re-seals the bag with their own key and lists it in keys.txt is not trusted', () => {
    const dir = copy();
    const other = new NoteSigner('test.example/ledger', randomBytes(32));
    const keys = path.join(dir, 'data/keys.txt');
    fs.writeFileSync(keys, fs.readFileSync(keys, 'utf8').replace(/^(rotation \d+) \S+$/m, `$1 ${other.verifierKey}`));
    reseal(dir, other);
    expectFailure(dir, 'SIGNATURE_UNTRUSTED');
  });

  it('a symlink in the bag is refused', () => {
    const dir = copy();
    fs.symlinkSync('/etc/passwd', path.join(dir, 'data/link'));
    expectFailure(dir, 'BAG_UNSAFE_FILE', 'data/link');
  });

  describe('the ledger key holder re-sealing edited data still fails on the entries and proofs', () => {
    function editLine(dir: string, edit: (line: Record<string, unknown>) => void, which = 1): void {
      const file = path.join(dir, 'data/entries.jsonl');
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      const line = JSON.parse(lines[which] as string) as Record<string, unknown>;
      edit(line);
      lines[which] = JSON.stringify(line);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      reseal(dir, fx.signer);
    }

    it('a decoded field changed', () => {
      const dir = copy();
      editLine(dir, (l) => ((l.entry as Record<string, unknown>).agent = 'someone-else'));
      expectFailure(dir, 'ENTRY_FIELDS_MISMATCH', 'data/entries.jsonl');
    });

    it('the leaf bytes changed (and the fields and hash with them)', () => {
      const dir = copy();
      editLine(dir, (l) => {
        const entry = l.entry as Record<string, unknown>;
        entry.agent = 'someone-else';
        const text = JSON.stringify(Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : 1))));
        l.leaf = Buffer.from(text).toString('base64');
        l.leafHash = (l.leafHash as string).split('').reverse().join('');
      });
      const report = verifyBundle(dir, fx.firstKey);
      expect(['ENTRY_FIELDS_MISMATCH', 'INCLUSION_INVALID']).toContain(report.failure?.code);
    });

    it('an entry removed (its proof left behind)', () => {
      const dir = copy();
      const file = path.join(dir, 'data/entries.jsonl');
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      lines.splice(1, 1);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      reseal(dir, fx.signer);
      expectFailure(dir, 'PROOFS_MALFORMED', 'data/proofs.json');
    });

    it('a proof altered', () => {
      const dir = copy();
      const file = path.join(dir, 'data/proofs.json');
      const proofs = JSON.parse(fs.readFileSync(file, 'utf8')) as { inclusion: Array<{ proof: string[] }> };
      const p = proofs.inclusion[0]?.proof as string[];
      p[0] = Buffer.alloc(32, 1).toString('base64');
      fs.writeFileSync(file, JSON.stringify(proofs));
      reseal(dir, fx.signer);
      expectFailure(dir, 'INCLUSION_INVALID', 'data/entries.jsonl');
    });

    it('a raw payload replaced no longer opens its commitment', () => {
      const dir = copy(raw);
      const rel = payloadFile(dir);
      flipByte(path.join(dir, rel), () => 0);
      reseal(dir, fx.signer);
      expectFailure(dir, 'PAYLOAD_MISMATCH', rel);
    });

    it('an erased payload said to be erased by an entry that did not erase it', () => {
      const dir = copy();
      const file = path.join(dir, 'data/entries.jsonl');
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
      const k = lines.findIndex((l) => l.includes('"state":"erased"'));
      const line = JSON.parse(lines[k] as string) as { payload: { erasureIndex: number } };
      line.payload.erasureIndex = fx.idx.rotation;
      lines[k] = JSON.stringify(line);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      reseal(dir, fx.signer);
      expectFailure(dir, 'ERASURE_UNPROVEN', 'data/entries.jsonl');
    });

    it('a checkpoint replaced by a forged one', () => {
      const dir = copy();
      const file = path.join(dir, 'data/checkpoint.txt');
      const note = fs.readFileSync(file, 'utf8');
      const body = note.slice(0, note.indexOf('\n\n') + 1);
      const forger = new NoteSigner('test.example/ledger', randomBytes(32));
      fs.writeFileSync(file, forger.sign(body));
      reseal(dir, fx.signer);
      expectFailure(dir, 'CHECKPOINT_SIGNATURE', 'data/checkpoint.txt');
    });
  });
});
