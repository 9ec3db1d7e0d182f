// npm run bench: every benchmark, one after the other (they share the machine's two cores badly).
// The benches measure the compiled build in dist/ (what `vigil` runs), so it is built first.
import { spawnSync } from 'node:child_process';

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error(`the build failed with exit code ${build.status}`);
  process.exit(build.status ?? 1);
}

const scripts = ['append.ts', 'append-latency.ts', 'verify.ts', 'verify-cli.ts', 'proofs.ts', 'dlp-speed.ts', 'service.ts', 'export.ts'];
for (const s of scripts) {
  const r = spawnSync('npx', ['tsx', `bench/${s}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${s} failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}
