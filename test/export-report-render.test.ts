/// <reference lib="dom" />
/**
 * report.html as a reviewer sees it: rendered by headless Chromium (the system's `chromium`, driven with
 * puppeteer-core), on screen and for print. The screenshot and the PDF stay in test/out/ (git-ignored).
 * Chromium is required: without it this test fails and says how to install it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBundle } from '../src/export/index.js';
import { decodeEntry } from '../src/entry/index.js';
import { buildFixture, scratch, type ExportFixture } from './support/export-fixture.js';

function findChromium(): string {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // try the next name
    }
  }
  throw new Error('Chromium is not installed, and this test needs it to render report.html. Install it with: sudo apt-get install -y chromium (Debian/Ubuntu; .ci/run does this when it is missing).');
}

const OUT = path.resolve('test', 'out');
let fx: ExportFixture;
let tmp: { dir: string; dispose(): void };
let browser: Browser | undefined;
let bag: string;

beforeAll(async () => {
  const executablePath = findChromium();
  fx = await buildFixture();
  tmp = scratch();
  bag = path.join(tmp.dir, 'bag');
  await writeBundle(fx.ledger.storage, bag, { profile: 'hipaa-audit', signer: fx.signer, exportedBy: 'auditor@test' });
  browser = await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});
afterAll(async () => {
  await browser?.close();
  await fx?.dispose();
  tmp?.dispose();
});

describe('report.html in Chromium', () => {
  it('shows the integrity result and the counts, loads nothing from outside, and fits the page in print', async () => {
    const page = await (browser as Browser).newPage();
    const outside: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) outside.push(r.url());
    });
    await page.setViewport({ width: 1000, height: 800 });
    await page.goto(`file://${path.join(bag, 'data', 'report.html')}`, { waitUntil: 'load' });
    expect(outside).toEqual([]);

    const integrity = await page.$eval('#integrity', (el) => (el as HTMLElement).innerText);
    const size = fx.ledger.size;
    expect(integrity).toContain('Integrity: VERIFIED');
    expect(integrity).toContain(`All ${size} exported entries are proven included in the signed checkpoint of size ${size}`);
    const verify = await page.$eval('#verify-command', (el) => (el as HTMLElement).innerText);
    expect(verify).toBe(`vigil verify --bundle bag --key ${fx.firstKey}`);

    // counts by kind, as rendered, equal the ledger's
    const expected = new Map<string, number>();
    for (let i = 0; i < size; i++) {
      const kind = decodeEntry(fx.ledger.readLeaf(i)).kind;
      expected.set(kind, (expected.get(kind) ?? 0) + 1);
    }
    const rows = await page.$$eval('#counts-kind tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText)));
    expect(new Map(rows.map(([k, v]) => [k as string, Number(v)]))).toEqual(expected);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(`${size} entries in the bag`);
    const agents = await page.$$eval('#counts-agent tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).innerText.split('\t')));
    expect(agents.map(([a]) => a).sort()).toEqual(['support-bot', 'triage-bot', 'vigil']);
    expect(text).toMatch(/referral-partner/);
    expect(text).toMatch(/GDPR Art\. 17\(1\)\(a\)/);

    fs.mkdirSync(OUT, { recursive: true });
    const png = path.join(OUT, 'export-report.png');
    await page.screenshot({ path: png, fullPage: true });
    console.log(`report.html screenshot: ${png}`);

    // print: A4 content width, nothing wider than the page, tables included
    await page.emulateMediaType('print');
    await page.setViewport({ width: 700, height: 1000 });
    const overflow = await page.evaluate(() => {
      const wide = [...document.querySelectorAll('table, pre, dl')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName);
      return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, wide };
    });
    expect(overflow).toEqual({ page: 0, wide: [] });
    const pdf = path.join(OUT, 'export-report.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    expect(fs.statSync(pdf).size).toBeGreaterThan(10_000);
    console.log(`report.html printed: ${pdf}`);
    await page.close();
  });
});
