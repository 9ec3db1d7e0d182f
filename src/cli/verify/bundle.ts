/**
 * `vigil verify --bundle`: an evidence bag (a folder or a .tar.gz) checked offline by the export's verifier
 * (src/export/verify-bundle.ts): BagIt manifests, the tag manifest's signature, every entry against its
 * inclusion proof and the signed checkpoint, payloads against their commitments, erasures. The summary is
 * printed for people, or the report as JSON; the exit code is 0 verified, 1 failed.
 */
import { EXIT_FAILED, EXIT_VERIFIED } from '../../audit/index.js';
import { verifyBundleAt, type BundleReport } from '../../export/index.js';
import type { VerifyIo } from './common.js';

export function formatBundleText(bag: string, r: BundleReport): string {
  const lines = [
    `bundle:      ${bag}`,
    `profile:     ${r.profile ?? '-'}`,
    `origin:      ${r.origin ?? '-'}`,
    `checkpoint:  ${r.checkpoint === undefined ? '-' : `size ${r.checkpoint.size}, root ${r.checkpoint.root}`}`,
    `signers:     ${r.signers.length === 0 ? '-' : r.signers.join(', ')}`,
    `manifest:    ${r.manifestSignedBy === undefined ? 'not verified' : `signed by ${r.manifestSignedBy}`}; ${r.files} files, ${r.bytes} bytes`,
    `entries:     ${r.size} checked (${r.entries.selected} selected, ${r.entries.linked} linked, ${r.entries.context} context)`,
    `payloads:    ${r.payloads.present} present (${r.payloads.verified} opened against their commitments, ${r.payloads.redacted} redacted), ${r.payloads.erased} erased, ${r.payloads.withheld} withheld`,
  ];
  if (r.consistency !== undefined) lines.push(`consistency: from size ${r.consistency.fromSize}: ${r.consistency.consistent ? 'proven' : 'not proven'}`);
  for (const e of r.erasures.slice(0, 20)) lines.push(`  entry ${e.index}: payload erased by entry ${e.erasureIndex}`);
  if (r.erasures.length > 20) lines.push(`  … and ${r.erasures.length - 20} more erased payloads`);
  if (r.ok) lines.push('result:      VERIFIED');
  else {
    const f = r.failure;
    const where = [f?.file === undefined ? undefined : `file ${f.file}`, f?.index === undefined ? undefined : `entry ${f.index}`].filter((w) => w !== undefined).join(', ');
    lines.push(`result:      FAILED (${f?.code ?? 'unknown'})${where === '' ? '' : ` at ${where}`}: ${f?.message ?? ''}`);
  }
  return lines.join('\n') + '\n';
}

export async function verifyBundleCommand(io: VerifyIo, bag: string, trustedKey: string, previousCheckpoint: string | undefined, json: boolean): Promise<number> {
  const report = await verifyBundleAt(bag, trustedKey, previousCheckpoint === undefined ? {} : { previousCheckpoint });
  io.stdout.write(json ? JSON.stringify({ source: 'bundle', bundle: bag, ...report }) + '\n' : formatBundleText(bag, report));
  return report.ok ? EXIT_VERIFIED : EXIT_FAILED;
}
