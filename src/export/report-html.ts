/**
 * report.html: the bag for a human reviewer. Self-contained (inline CSS, no scripts, no external resources,
 * so it opens offline and shows the same thing everywhere) and made for paper: print CSS, a page break before
 * each major section, table headers repeated on every page, long values wrapped instead of overflowing.
 */
import type { DisclosureRow, ErasureRow, PayloadCounts } from './tables.js';

export interface ReportModel {
  title: string;
  provision: string;
  profile: string;
  exportedBy: string;
  exportedAt: string;
  origin: string;
  scope: Array<[string, string]>;
  period: { first: string | undefined; last: string | undefined };
  integrity: {
    ok: boolean;
    entries: number;
    checkpointSize: number;
    checkpointRoot: string;
    signedBy: string;
    consistencyFrom: number | undefined;
  };
  verifyCommand: string;
  trustedKey: string;
  counts: { total: number; byRole: Array<[string, number]>; byKind: Array<[string, number]>; byAgent: Array<[string, number]>; byPurpose: Array<[string, number]> };
  agentTask: Array<{ agent: string; task: string; count: number; first: string; last: string }>;
  payloads: PayloadCounts;
  payloadTransform: string;
  decisions: Array<[string, number]>;
  findings: Array<{ category: string; type: string; action: string; count: number }>;
  disclosures: DisclosureRow[];
  erasures: ErasureRow[];
  keys: Array<{ label: string; vkey: string }>;
}

/** Rows shown per table; the CSV files always hold all of them. */
export const REPORT_ROW_LIMIT = 500;

export function escapeHtml(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #333; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
p.sub { color: #444; margin: 0 0 1rem; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: .5rem 0 1rem; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; word-break: break-word; }
th { background: #eee; }
td.n, th.n { text-align: right; width: 7rem; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 9pt; overflow-wrap: anywhere; word-break: break-all; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; border: 1px solid #ccc; padding: .5rem; font-size: 9pt; }
.verdict { border: 3px solid; padding: .6rem .8rem; font-size: 1.1rem; font-weight: 600; margin: 1rem 0; }
.verdict.ok { border-color: #1a7f37; color: #0b4d21; background: #eaf7ee; }
.verdict.fail { border-color: #b42318; color: #7a1610; background: #fdeceb; }
dl.kv { display: grid; grid-template-columns: 14rem 1fr; gap: .15rem 1rem; margin: .5rem 0 1rem; }
dl.kv dt { font-weight: 600; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.note { color: #444; font-size: 9.5pt; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5rem; }
@media print {
  @page { size: A4; margin: 15mm 12mm 18mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-before: page; page-break-before: always; }
  h2.first { break-before: auto; page-break-before: auto; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tr, .verdict, pre, dl.kv { break-inside: avoid; page-break-inside: avoid; }
  .grid2 { display: block; }
  a { color: inherit; text-decoration: none; }
}
`;

function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, numeric: ReadonlySet<number> = new Set(), total?: number): string {
  const shown = rows.slice(0, REPORT_ROW_LIMIT);
  const th = head.map((h, i) => `<th${numeric.has(i) ? ' class="n"' : ''}>${escapeHtml(h)}</th>`).join('');
  const body = shown.length === 0
    ? `<tr><td colspan="${head.length}">none</td></tr>`
    : shown.map((r) => `<tr>${r.map((c, i) => `<td${numeric.has(i) ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  const all = total ?? rows.length;
  const more = all > shown.length ? `<p class="note">The first ${shown.length} of ${all} rows; the CSV file in the bag lists all of them.</p>` : '';
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>${more}`;
}

function counts(title: string, rows: Array<[string, number]>): string {
  const id = `counts-${title.replace(/^By /, '').toLowerCase()}`;
  return `<div id="${id}"><h3>${escapeHtml(title)}</h3>${table([title.replace(/^By /, ''), 'entries'], rows.map(([k, v]) => [k, v]), new Set([1]))}</div>`;
}

function kv(rows: ReadonlyArray<readonly [string, string | number]>): string {
  return `<dl class="kv">${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

export function renderReport(m: ReportModel): string {
  const i = m.integrity;
  const verdict = i.ok
    ? `<div class="verdict ok" id="integrity">Integrity: VERIFIED at export. All ${i.entries} exported entries are proven included in the signed checkpoint of size ${i.checkpointSize}${i.consistencyFrom === undefined ? '' : `, which is consistent with the earlier checkpoint of size ${i.consistencyFrom}`}.</div>`
    : `<div class="verdict fail" id="integrity">Integrity: FAILED at export.</div>`;
  const p = m.payloads;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vigil export">
<title>${escapeHtml(m.title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(m.title)}</h1>
<p class="sub">${escapeHtml(m.provision)}</p>
${kv([['Profile', m.profile], ['Ledger', m.origin], ['Exported by', m.exportedBy], ['Exported at', m.exportedAt], ['Period covered', `${m.period.first ?? '-'} to ${m.period.last ?? '-'}`], ...m.scope])}

<h2 class="first" id="integrity-section">Integrity</h2>
${verdict}
${kv([['Checkpoint size', i.checkpointSize], ['Checkpoint root', i.checkpointRoot], ['Signed by', i.signedBy], ['Entries proven', i.entries]])}
<h3>How to re-check it</h3>
<p>Verify the whole bag offline with the verifier key you were given for this ledger (not a key taken from the bag; <code>data/keys.txt</code> only lists the history the bag proves):</p>
<pre id="verify-command">${escapeHtml(m.verifyCommand)}</pre>
<p class="note">The command checks every file against <code>manifest-sha512.txt</code> and <code>tagmanifest-sha512.txt</code>, the signature on the tag manifest (<code>tagmanifest-sha512.txt.sig</code>, a C2SP signed note by the ledger key), the key history, the checkpoint's signature, every entry's inclusion proof and every payload that can be opened against its commitment. Changing, adding or removing any file makes it fail and say why. This page is itself covered by the manifests: a printed copy is only as good as the bag it came from.</p>

<h2 id="counts">Counts</h2>
<p>${m.counts.total} entries in the bag: ${m.counts.byRole.map(([r, n]) => `${n} ${escapeHtml(r)}`).join(', ')} (selected: matched the scope; linked: the DLP decision of a selected response; context: key rotations and erasures the proofs need).</p>
<div class="grid2">
${counts('By kind', m.counts.byKind)}
${counts('By purpose', m.counts.byPurpose)}
</div>
${counts('By agent', m.counts.byAgent)}
<h3>Activity by agent and task</h3>
${table(['agent', 'task', 'entries', 'first', 'last'], m.agentTask.map((r) => [r.agent, r.task, r.count, r.first, r.last]), new Set([2]))}
<h3>Payloads</h3>
${kv([['Transform', m.payloadTransform], ['Included', p.included], ['Opened against commitment', p.verifiable], ['DLP-redacted', p.redacted], ['Erased', p.erased], ['Withheld (blocked by DLP or binary)', p.withheld], ['Not in this profile', p.omitted]])}

<h2 id="dlp">DLP decisions</h2>
${table(['decision', 'responses'], m.decisions.map(([k, v]) => [k, v]), new Set([1]))}
<h3>Findings by category and action</h3>
${table(['category', 'type', 'action', 'findings'], m.findings.map((r) => [r.category, r.type, r.action, r.count]), new Set([3]))}

<h2 id="disclosures">Disclosures</h2>
<p class="note">Responses released through the DLP filter (every decision but block): date, recipient (the filter's destination), what regulated data was found and what was done to it, purpose.</p>
${table(['date', 'recipient', 'description of data', 'purpose', 'agent', 'entry'], m.disclosures.map((d) => [d.date, d.recipient, d.description, d.purpose, d.agent, d.responseIndex === undefined ? `decision ${d.decisionIndex}` : `response ${d.responseIndex}`]), new Set([5]))}

<h2 id="erasures">Erasures</h2>
${table(['erasure entry', 'erased at', 'basis', 'reason', 'actor', 'exported entries erased'], m.erasures.map((e) => [e.erasureIndex, e.erasedAt, e.basis, e.reason, e.actor, e.exportedErased.join(' ') || '-']), new Set([0]))}

<h2 id="keys">Key history</h2>
${table(['key', 'verifier key'], m.keys.map((k) => [k.label, k.vkey]))}
<p class="note">Each later key is introduced by a key_rotation entry, signed by the key before it; the bag carries those entries and their proofs.</p>
</body>
</html>
`;
}
