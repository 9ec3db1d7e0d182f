// The TypeScript twin of bin/vigil.js: runs the CLI from source (`node --import tsx src/cli/run.ts …`).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
