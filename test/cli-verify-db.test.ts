/**
 * `vigil verify --db`: the auditor's check of a ledger file. Real ledger files built with the real Ledger,
 * tampered with the way an operator with write access to the SQLite file could, verified through the CLI
 * (in-process through its own `main`, and as a real process where the process boundary matters: exit codes,
 * stdout/stderr, a live writer beside it). Every tampering must fail with exit code 1 and the right reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, DATABASE_FILE, generateKey } from '../src/ledger/index.js';
import { decodeEntry, encodeEntry } from '../src/entry/index.js';
import { FAILURE_MEANINGS } from '../src/audit/index.js';
import { NoteSigner, encodeBase64, leafHash, randomBytes } from '../src/tlog/index.js';
import Database from 'better-sqlite3';
import {
  KEY_NAME,
  SIZE,
  buildLedger,
  buildRotatedLedger,
  freshLedger,
  expectOneErrorLine,
  fingerprint,
  flipAgentByte,
  leafOf,
  realSigner,
  request,
  rewrittenLedger,
  tamper,
  tamperCases,
  tempDir,
  verifyJson,
  vigilInProcess,
  vigilProcess,
  type Built,
  type TamperCase,
} from './support/verify-helpers.js';

async function verifyDb(built: Built, ...extra: string[]): ReturnType<typeof verifyJson> {
  return verifyJson(['--db', built.file, '--key', built.vkey, ...extra]);
}

describe.concurrent('vigil verify --db on an untouched ledger', () => {
  it('verifies everything and says so: summary for people, exit 0', async () => {
    const built = await freshLedger();
    const r = await vigilInProcess(['verify', '--db', built.file, '--key', built.vkey]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^verified: the whole log of /);
    expect(r.stdout).toMatch(/^entries: +20 checked$/m);
    expect(r.stdout).toMatch(/^tree size: +20$/m);
    expect(r.stdout).toMatch(/^checkpoints: +5 verified, the latest at size 20$/m);
    expect(r.stdout).toMatch(/^root: +[A-Za-z0-9+/]{43}=$/m);
    expect(r.stdout).toContain(`signers:     ${built.vkey}`);
    expect(r.stdout).toMatch(/^time range: +\d{4}-\d\d-\d\dT[\d:.]+Z to \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    expect(r.stdout).toMatch(/^payloads: +20 present, 0 erased$/m);
    expect(r.stdout).toMatch(/^result: +verified$/m);
    expect(r.stdout).not.toContain('payload number'); // never a payload
  });

  it('--json prints one document with the documented fields', async () => {
    const built = await freshLedger();
    const { code, json } = await verifyDb(built);
    expect(code).toBe(0);
    expect(json).toEqual({
      ok: true,
      result: 'verified',
      source: { type: 'db', path: built.file },
      mode: 'full',
      range: null,
      entriesChecked: SIZE,
      treeSize: SIZE,
      root: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      origin: KEY_NAME,
      checkpoints: { verified: 5, latestSize: SIZE },
      signers: [built.vkey],
      timeRange: { first: expect.any(String), last: expect.any(String) },
      payloads: { checked: true, present: SIZE, erased: 0, by: 'commitment' },
      erasures: [],
      pin: null,
      failure: null,
      notes: [],
    });
    // The root is the one the latest checkpoint signs.
    expect(built.checkpointAt(SIZE).split('\n')[2]).toBe(json.root);
  });

  it('as a real process: exit 0, the JSON on stdout, nothing on stderr (no progress bar when not a terminal)', async () => {
    const built = await freshLedger();
    const r = await vigilProcess(['verify', '--db', built.file, '--key', built.vkey, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entriesChecked: SIZE });
  });

  it('takes the key from a file holding it (trimmed)', async () => {
    const built = await freshLedger();
    const keyFile = path.join(tempDir(), 'auditor.vkey');
    fs.writeFileSync(keyFile, `\n  ${built.vkey}  \n`);
    const { code, json } = await verifyJson(['--db', built.file, '--key', keyFile]);
    expect(code).toBe(0);
    expect(json.signers).toEqual([built.vkey]);
  });

  it('the parallel engine (--workers 2) gives exactly the serial engine\'s result, on a good and on a tampered file', async () => {
    const built = await freshLedger();
    const serial = await verifyDb(built, '--workers', '0');
    const parallel = await verifyDb(built, '--workers', '2');
    expect(parallel).toEqual(serial);
    tamper(built.file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('payload number 9')));
    const serialBad = await verifyDb(built, '--workers', '0');
    expect(serialBad.json.failure).toMatchObject({ code: 'PAYLOAD_MISMATCH', index: 8 });
    expect(await verifyDb(built, '--workers', '2')).toEqual(serialBad);
  });
});

/** The shared cases (checkpoint cases on the checkpoint at 8, one of five in the file), and those only a file has. */
const CASES: TamperCase[] = [
  ...tamperCases(8),
  {
    what: 'a checkpoint with a wrong size, signed with the right key',
    change: ({ file, dataDir, checkpointAt }) => {
      const root8 = checkpointAt(8).split('\n')[2] as string;
      const note = realSigner(dataDir).sign(`${KEY_NAME}\n9\n${root8}\n`);
      tamper(file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = 12').run(note));
    },
    code: 'CHECKPOINT_ROOT_MISMATCH',
    checkpointSize: 9,
  },
  // Same size: only the payload's commitment can tell.
  { what: 'a replaced payload', change: ({ file }) => tamper(file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 8').run(Buffer.from('payload number 9'))), code: 'PAYLOAD_MISMATCH', index: 8 },
  {
    what: 'an entry appended behind the ledger',
    change: ({ file }) =>
      tamper(file, (db) => {
        const last = decodeEntry(leafOf(db, SIZE - 1));
        db.prepare('INSERT INTO entries (idx, leaf) VALUES (?, ?)').run(SIZE, encodeEntry({ ...last, index: SIZE, prev: encodeBase64(leafHash(leafOf(db, SIZE - 1))) }));
      }),
    code: 'UNCOVERED_ENTRIES',
    index: SIZE,
  },
];

describe.concurrent('vigil verify --db detects tampering: exit 1 and the right reason', () => {
  it.each(CASES)('$what: $code', async ({ change, extra, code, index, checkpointSize }) => {
    const built = await freshLedger();
    change(built);
    const r = await verifyDb(built, ...(extra ?? []));
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.result).toBe('failed');
    expect(r.json.failure).toMatchObject({ code, meaning: FAILURE_MEANINGS[code as keyof typeof FAILURE_MEANINGS] });
    if (index !== undefined) expect(r.json.failure.index).toBe(index);
    if (checkpointSize !== undefined) expect(r.json.failure.checkpointSize).toBe(checkpointSize);
    expect(typeof r.json.failure.message).toBe('string');
  });

  it('the summary for people names the first bad index, what is wrong and what it means', async () => {
    const built = await freshLedger();
    (CASES[0] as TamperCase).change(built); // a byte flipped in entry 5
    const r = await vigilInProcess(['verify', '--db', built.file, '--key', built.vkey]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAILED: entry 6: prev does not match the leaf hash of entry 5/);
    expect(r.stdout).toMatch(/^first bad: +entry 6$/m);
    expect(r.stdout).toMatch(/^code: +CHAIN_BROKEN$/m);
    expect(r.stdout).toContain(`meaning:     ${FAILURE_MEANINGS.CHAIN_BROKEN}`);
    expect(r.stdout).toMatch(/^entries: +6 checked \(up to the first failure\)$/m);
    expect(r.stdout).toMatch(/^result: +FAILED \(CHAIN_BROKEN\)$/m);
  });

  it('as a real process: exit 1 and the failure on stdout', async () => {
    const built = await freshLedger();
    (CASES[1] as TamperCase).change(built); // entry 7 deleted
    const r = await vigilProcess(['verify', '--db', built.file, '--key', built.vkey, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).failure).toMatchObject({ code: 'INDEX_MISMATCH', index: 7 });
  });
});

describe.concurrent('history rewritten and signed again with the right key', () => {
  it('passes on its own, and fails against a checkpoint pinned before the rewrite', async () => {
    const original = await freshLedger();
    const pinFile = path.join(tempDir(), 'pin.note');
    fs.writeFileSync(pinFile, original.checkpointAt(SIZE));
    // The operator rebuilds the whole file from altered entries with the same key.
    const rebuilt = await rewrittenLedger(original, SIZE, 4);
    expect((await verifyDb(rebuilt)).code).toBe(0);
    const pinned = await verifyDb(rebuilt, '--pin', pinFile);
    expect(pinned.code).toBe(1);
    expect(pinned.json.failure).toMatchObject({ code: 'PIN_INCONSISTENT', checkpointSize: SIZE });
    expect(pinned.json.pin).toMatchObject({ file: pinFile, size: SIZE, consistent: false, firstUse: false });
    const honest = await verifyDb(original, '--pin', pinFile);
    expect(honest.code).toBe(0);
    expect(honest.json.pin).toEqual({ file: pinFile, size: SIZE, consistent: true, firstUse: false, updatedTo: null });
  });
});

describe.concurrent('erasure and key rotation', () => {
  it('an erased payload with its erasure entry verifies, reported as erased with the erasure entry', async () => {
    const built = await buildLedger({ then: (l) => l.erase({ indexes: [2, 5], reason: 'data subject request', basis: 'GDPR Art. 17(1)(a)', actor: 'dpo' }) });
    const { code, json } = await verifyDb(built);
    expect(code).toBe(0);
    // SIZE entries and the erasure entry (with its own, empty, payload); two payloads erased.
    expect(json.payloads).toEqual({ checked: true, present: SIZE + 1 - 2, erased: 2, by: 'commitment' });
    expect(json.erasures).toEqual([
      { index: 2, erasureIndex: SIZE },
      { index: 5, erasureIndex: SIZE },
    ]);
    const text = await vigilInProcess(['verify', '--db', built.file, '--key', built.vkey]);
    expect(text.stdout).toMatch(/^payloads: +19 present, 2 erased \(entry 2 by erasure entry 20, entry 5 by erasure entry 20\)$/m);
  });

  it('follows key rotations from the first key; a checkpoint by a key the chain never introduced fails', async () => {
    const { built, newKey } = await buildRotatedLedger(3);
    const { code, json } = await verifyDb(built);
    expect(code).toBe(0);
    expect(json.signers).toEqual([built.vkey, newKey]);
    expect(json.entriesChecked).toBe(SIZE + 4);

    // An intruder key made active without a key_rotation entry signs the next checkpoint.
    const intruder = generateKey(built.dataDir, KEY_NAME);
    const raw = new Database(built.file);
    raw.prepare('INSERT INTO signing_keys (since_index, vkey) VALUES (?, ?)').run(SIZE + 4, intruder.verifierKey);
    raw.close();
    const reopened = Ledger.open({ dataDir: built.dataDir, commitWindowMs: 0 });
    await reopened.append(request(200));
    await reopened.close();
    const bad = await verifyDb(built);
    expect(bad.code).toBe(1);
    expect(bad.json.failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE', checkpointSize: SIZE + 5 });
  });
});

describe.concurrent('usage and I/O errors: exit 2, one plain line on stderr, nothing on stdout', () => {
  it.each([
    { what: 'a missing file', args: (b: Built) => ['--db', path.join(b.dataDir, 'nope.db'), '--key', b.vkey], says: /no such file/ },
    { what: 'a folder', args: (b: Built) => ['--db', b.dataDir, '--key', b.vkey], says: /not a file|folder/ },
    { what: 'a file that is not a ledger', args: (b: Built) => ['--db', path.join(b.dataDir, 'keys', fs.readdirSync(path.join(b.dataDir, 'keys'))[0] as string), '--key', b.vkey], says: /not an SQLite 3 database/ },
    { what: 'a malformed key string', args: (b: Built) => ['--db', b.file, '--key', 'example.org+1234+AAAA'], says: /--key: neither a verifier key string/ },
    { what: 'a key of another form', args: (b: Built) => ['--db', b.file, '--key', b.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')], says: /key ID/ },
    { what: 'a bundle with range flags', args: (b: Built) => ['--bundle', b.dataDir, '--key', b.vkey, '--from', '1'], says: /--bundle takes --key, --pin/ },
    { what: 'no source', args: (b: Built) => ['--key', b.vkey], says: /exactly one of --db FILE, --url URL or --bundle PATH/ },
    { what: 'two sources', args: (b: Built) => ['--db', b.file, '--url', 'http://127.0.0.1:1', '--key', b.vkey], says: /exactly one of/ },
    { what: '--update-pin without --pin', args: (b: Built) => ['--db', b.file, '--key', b.vkey, '--update-pin'], says: /--update-pin needs --pin FILE/ },
    { what: 'a missing pin file without --update-pin', args: (b: Built) => ['--db', b.file, '--key', b.vkey, '--pin', path.join(b.dataDir, 'none.pin')], says: /does not exist .*--update-pin/ },
    { what: 'a range outside the log', args: (b: Built) => ['--db', b.file, '--key', b.vkey, '--from', '1', '--to', '20'], says: /--from and --to must satisfy 0 ≤ from ≤ to ≤ 19/ },
    { what: 'a range that is not a number', args: (b: Built) => ['--db', b.file, '--key', b.vkey, '--from', 'ten'], says: /--from takes a non-negative integer/ },
  ])('$what', async ({ args, says }) => {
    const built = await freshLedger();
    const r = await vigilInProcess(['verify', ...args(built)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toMatch(says);
  });

  it('a signing key file given as --key is refused without printing a byte of it', async () => {
    const built = await freshLedger();
    const keyFile = path.join(built.dataDir, 'keys', fs.readdirSync(path.join(built.dataDir, 'keys'))[0] as string);
    const seed = (JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { seed: string }).seed;
    const r = await vigilProcess(['verify', '--db', built.file, '--key', keyFile]);
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stderr);
    expect(r.stderr).toContain('does not hold a verifier key string');
    expect(r.stderr + r.stdout).not.toContain(seed);
  });

  it('as a real process: a missing --key is a usage error (exit 2)', async () => {
    const built = await freshLedger();
    const r = await vigilProcess(['verify', '--db', built.file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--key <vkey>'");
  });
});

describe.concurrent('pins: trust on first use, then the log must extend what was pinned', () => {
  it('--update-pin writes the pin on first use; later runs pass while the log grows and fail once history is rewritten', async () => {
    const built = await freshLedger();
    const dir = tempDir();
    const pinFile = path.join(dir, 'ledger.pin');
    const first = await vigilInProcess(['verify', '--db', built.file, '--key', built.vkey, '--pin', pinFile, '--update-pin']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^pin: +first use: .* did not exist; this log is trusted as it is now \(trust on first use\); .* now pins size 20$/m);
    expect(fs.readFileSync(pinFile, 'utf8')).toBe(built.checkpointAt(SIZE));
    expect(fs.readdirSync(dir)).toEqual(['ledger.pin']); // written atomically: no temporary file left

    const again = await verifyDb(built, '--pin', pinFile);
    expect(again.code).toBe(0);
    expect(again.json.pin).toEqual({ file: pinFile, size: SIZE, consistent: true, firstUse: false, updatedTo: null });

    // The log grows: it still extends the pin, which moves forward.
    const ledger = Ledger.open({ dataDir: built.dataDir, commitWindowMs: 0, maxBatch: 4 });
    await Promise.all([0, 1, 2, 3].map((i) => ledger.append(request(SIZE + i))));
    await ledger.close();
    const grown = await verifyDb(built, '--pin', pinFile, '--update-pin');
    expect(grown.code).toBe(0);
    expect(grown.json.pin).toMatchObject({ size: SIZE, consistent: true, updatedTo: SIZE + 4 });
    expect(fs.readFileSync(pinFile, 'utf8')).toBe(built.checkpointAt(SIZE + 4));

    // History rewritten (an entry altered, everything re-signed with the real key): the pin catches it and stays.
    const pinned = fs.readFileSync(pinFile, 'utf8');
    const rebuilt = await rewrittenLedger(built, SIZE + 8, 2);
    const rewritten = await verifyDb(rebuilt, '--pin', pinFile, '--update-pin');
    expect(rewritten.code).toBe(1);
    expect(rewritten.json.failure).toMatchObject({ code: 'PIN_INCONSISTENT', checkpointSize: SIZE + 4 });
    expect(rewritten.json.pin).toMatchObject({ consistent: false, updatedTo: null });
    expect(fs.readFileSync(pinFile, 'utf8')).toBe(pinned);
  });

  it('a pin from another log, or not a checkpoint at all, is refused with a verification failure', async () => {
    const built = await freshLedger();
    const other = await buildLedger({ entries: 4 });
    const foreign = path.join(tempDir(), 'foreign.pin');
    fs.writeFileSync(foreign, other.checkpointAt(4));
    const r = await verifyDb(built, '--pin', foreign);
    expect(r.code).toBe(1);
    expect(r.json.failure.code).toMatch(/^PIN_/);
    const garbage = path.join(tempDir(), 'garbage.pin');
    fs.writeFileSync(garbage, 'not a note\n');
    expect((await verifyDb(built, '--pin', garbage)).json.failure).toMatchObject({ code: 'PIN_MALFORMED' });
  });
});

describe.concurrent('range mode: entries against the latest checkpoint by inclusion proofs', () => {
  it('checks the entries of the range, and only those', async () => {
    const built = await freshLedger();
    const r = await verifyDb(built, '--from', '3', '--to', '10');
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, mode: 'range', range: { from: 3, to: 10 }, entriesChecked: 8, treeSize: SIZE, checkpoints: { verified: 1, latestSize: SIZE }, signers: [built.vkey] });
    expect(r.json.root).toBe(built.checkpointAt(SIZE).split('\n')[2]);
    const text = await vigilInProcess(['verify', '--db', built.file, '--key', built.vkey, '--from', '3', '--to', '10']);
    expect(text.stdout).toMatch(/^verified: entries 3 to 10 of /);
    // --from alone runs to the last entry; --to alone starts at 0.
    expect((await verifyDb(built, '--from', '15')).json).toMatchObject({ range: { from: 15, to: SIZE - 1 }, entriesChecked: 5 });
    expect((await verifyDb(built, '--to', '2')).json).toMatchObject({ range: { from: 0, to: 2 }, entriesChecked: 3 });
  });

  it('a flipped byte in the range: "entry 5: leaf hash does not match the tree at checkpoint 20"; outside the range it is not looked at', async () => {
    const built = await freshLedger();
    flipAgentByte(built.file, 5, 'z');
    const r = await verifyDb(built, '--from', '2', '--to', '8');
    expect(r.code).toBe(1);
    expect(r.json.failure).toMatchObject({ code: 'INCLUSION_FAILED', index: 5, message: 'entry 5: leaf hash does not match the tree at checkpoint 20' });
    expect((await verifyDb(built, '--from', '10', '--to', '19')).code).toBe(0);
  });

  it('a payload replaced in the range fails; an erased one verifies through its erasure entry outside the range', async () => {
    const built = await buildLedger({ then: (l) => l.erase({ indexes: [3], reason: 'r', basis: 'GDPR Art. 17(1)(a)', actor: 'dpo' }) });
    const erased = await verifyDb(built, '--from', '1', '--to', '6');
    expect(erased.code).toBe(0);
    expect(erased.json.payloads).toEqual({ checked: true, present: 5, erased: 1, by: 'commitment' });
    expect(erased.json.erasures).toEqual([{ index: 3, erasureIndex: SIZE }]);
    tamper(built.file, (db) => db.prepare('UPDATE payloads SET body = ? WHERE idx = 4').run(Buffer.from('payload number 5')));
    expect((await verifyDb(built, '--from', '1', '--to', '6')).json.failure).toMatchObject({ code: 'PAYLOAD_MISMATCH', index: 4 });
  });

  it('refuses a latest checkpoint not signed by the given key, and cannot follow rotations (it says so)', async () => {
    const { built, newKey } = await buildRotatedLedger(1);
    const old = await verifyDb(built, '--from', '0', '--to', '5');
    expect(old.code).toBe(1);
    expect(old.json.failure.code).toBe('CHECKPOINT_SIGNATURE');
    expect(old.json.failure.message).toContain('range mode checks entries against the latest checkpoint with the given key only and cannot follow key rotations');
    const current = await verifyJson(['--db', built.file, '--key', newKey, '--from', '0', '--to', '5']);
    expect(current.code).toBe(0);
    // A checkpoint signed by some other key is refused the same way.
    const other = new NoteSigner(KEY_NAME, randomBytes(32));
    const plain = await freshLedger();
    tamper(plain.file, (db) => db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(other.sign((plain.checkpointAt(SIZE).split('\n\n')[0] as string) + '\n'), SIZE));
    expect((await verifyDb(plain, '--from', '0', '--to', '3')).json.failure).toMatchObject({ code: 'CHECKPOINT_SIGNATURE', checkpointSize: SIZE });
  });

  it('a pin is checked by a consistency proof', async () => {
    const built = await freshLedger();
    const pinFile = path.join(tempDir(), 'p.note');
    fs.writeFileSync(pinFile, built.checkpointAt(12));
    const ok = await verifyDb(built, '--from', '0', '--to', '3', '--pin', pinFile);
    expect(ok.code).toBe(0);
    expect(ok.json.pin).toMatchObject({ size: 12, consistent: true });
    const rebuilt = await rewrittenLedger(built, SIZE, 1);
    const bad = await verifyDb(rebuilt, '--from', '15', '--to', '19', '--pin', pinFile);
    expect(bad.code).toBe(1);
    expect(bad.json.failure).toMatchObject({ code: 'PIN_INCONSISTENT', checkpointSize: 12 });
  });
});

describe.concurrent('the ledger file is never written', () => {
  it('a closed ledger: the file keeps its bytes and time, and nothing appears next to it (no -wal, no -shm)', async () => {
    const built = await freshLedger();
    const before = fingerprint(built.dataDir);
    expect(Object.keys(before)).toEqual([DATABASE_FILE]);
    const r = await vigilProcess(['verify', '--db', built.file, '--key', built.vkey, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(fingerprint(built.dataDir)).toEqual(before);
    expect(fs.readdirSync(built.dataDir).sort()).toEqual(['keys', DATABASE_FILE]);
  });

  it('beside a live writer holding the ledger open: reads what it committed (in the WAL) and changes no byte or time of ledger.db, -wal or -shm', async () => {
    const dataDir = tempDir();
    const vkey = generateKey(dataDir, KEY_NAME).verifierKey;
    const ledger = Ledger.open({ dataDir, commitWindowMs: 0, maxBatch: 4 });
    try {
      await Promise.all(Array.from({ length: SIZE }, (_, i) => ledger.append(request(i))));
      const before = fingerprint(dataDir);
      expect(Object.keys(before)).toEqual([DATABASE_FILE, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-wal`]);
      const r = await vigilProcess(['verify', '--db', path.join(dataDir, DATABASE_FILE), '--key', vkey, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, entriesChecked: SIZE, checkpoints: { latestSize: SIZE } });
      expect(fingerprint(dataDir)).toEqual(before);
    } finally {
      await ledger.close();
    }
  });

  it('while a writer keeps appending: verifies a consistent state of the log (exit 0)', async () => {
    const dataDir = tempDir();
    const vkey = generateKey(dataDir, KEY_NAME).verifierKey;
    const ledger = Ledger.open({ dataDir, commitWindowMs: 1, maxBatch: 16 });
    let stop = false;
    let i = 0;
    const writer = (async () => {
      while (!stop) await Promise.all(Array.from({ length: 8 }, () => ledger.append(request(i++))));
    })();
    try {
      while (i < 200) await new Promise((r) => setTimeout(r, 10));
      const r = await vigilProcess(['verify', '--db', path.join(dataDir, DATABASE_FILE), '--key', vkey, '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.entriesChecked).toBeGreaterThanOrEqual(200);
      expect(json.entriesChecked).toBe(json.treeSize);
    } finally {
      stop = true;
      await writer;
      await ledger.close();
    }
  });
});
