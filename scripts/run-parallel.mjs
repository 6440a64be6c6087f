// Runs npm scripts at the same time and fails if any of them fails: `node scripts/run-parallel.mjs
// lint typecheck`. Each one's output (standard output and error, in the order written) is held
// back and printed whole when it ends, so two outputs never mix; then a line with how it ended.
import { spawn } from 'node:child_process';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script>...\n');
  process.exit(2);
}

// The tools colour their output for a terminal only; they write to a pipe here.
const env = process.stdout.isTTY ? { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1' } : process.env;

function run(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    // A shell to find npm (npm.cmd on Windows); the script names are the caller's own.
    const child = spawn(`npm run ${script}`, { shell: true, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    let finished = false;
    const finish = (code, why) => {
      if (finished) return;
      finished = true;
      process.stdout.write(Buffer.concat(chunks));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? '✓' : '✗'} npm run ${script} ${why} (${seconds} s)\n`);
      resolve(code);
    };
    child.on('error', (error) => finish(1, `could not start: ${error.message}`));
    child.on('close', (code, signal) => finish(code ?? 1, signal ? `stopped by ${signal}` : code === 0 ? 'passed' : `failed with exit code ${code}`));
  });
}

const codes = await Promise.all(scripts.map(run));
process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
