// npm start: the Electron app where the Electron runtime is available, otherwise browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const extraArgs = process.argv.slice(2);

const built = ['dist/cli.cjs', 'dist/main/electron.cjs', 'dist/preload/preload.cjs', 'dist/renderer/index.html'];
if (built.some((f) => !existsSync(path.join(root, f)))) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** The Electron executable, or why there is none. Never triggers a download by itself. */
function findElectron() {
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const locate = () => {
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const rel = readFileSync(pathFile, 'utf8').trim();
    const exe = process.env.ELECTRON_OVERRIDE_DIST_PATH
      ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel)
      : path.join(pkgDir, 'dist', rel);
    return existsSync(exe) ? exe : null;
  };
  let exe = locate();
  if (!exe && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    // The runtime is fetched on first use; try once, quietly.
    spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { cwd: pkgDir, stdio: 'ignore', timeout: 10 * 60_000 });
    exe = locate();
  }
  if (!exe) return { reason: 'its runtime could not be downloaded' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display to open a window on' };
  }
  return { exe };
}

const electron = findElectron();
let child;
if (electron.exe) {
  child = spawn(electron.exe, [root, ...extraArgs], { stdio: 'inherit' });
} else {
  console.log(`Electron is not available here (${electron.reason}); starting browser mode instead.`);
  child = spawn(process.execPath, [path.join(root, 'bin', 'mailroom.cjs'), 'serve', ...extraArgs], { stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
