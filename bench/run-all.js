// npm run bench: every benchmark, one after the other (they share the machine's two cores badly).
import { spawnSync } from 'node:child_process';

const scripts = ['bench:append', 'bench:latency', 'bench:verify', 'bench:proofs'];
for (const s of scripts) {
  const r = spawnSync('npm', ['run', '--silent', s], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${s} failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}
