// How fast the dialog is ready: the built renderer served in browser mode (`mailroom serve`),
// loaded in headless Chromium, from navigation to the first field a user can type in. Beside it,
// in the same run and served the same way, a bare page with one input: the floor set by the
// browser, the server and the machine. Each load uses a fresh browser context (nothing cached), as
// a first start would. Prints medians and their ratio, never a pass/fail time, and the JavaScript
// the first paint has to load, gzipped.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser } from '@playwright/test';

const LOADS = Number(process.env.BENCH_UI_LOADS ?? 15);
const ROOT = process.cwd();
const CLI = path.join(ROOT, 'bin', 'mailroom.cjs');
// A build kept elsewhere (so a rebuild meanwhile does not change what is measured) is served and
// weighed instead of dist/renderer when MAILROOM_RENDERER_DIR names it.
const RENDERER = process.env.MAILROOM_RENDERER_DIR ?? path.join(ROOT, 'dist', 'renderer');
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';

/** Records, in the page's own clock, when a visible field that takes typing first appears. */
const FIRST_FIELD_PROBE = `(() => {
  const editable = (el) => !el.disabled && !el.readOnly && el.getAttribute('aria-readonly') !== 'true' && el.offsetParent !== null;
  const look = () => {
    if (window.__firstField !== undefined) return;
    for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea')) {
      if (editable(el)) { window.__firstField = performance.now(); observer.disconnect(); return; }
    }
  };
  const observer = new MutationObserver(look);
  observer.observe(document, { childList: true, subtree: true, attributes: true });
  document.addEventListener('DOMContentLoaded', look);
})();`;

interface Served {
  child: ChildProcess;
  url: string;
  dataDir: string;
}

function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-ui-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--json'], { env: { ...process.env, ...env, MAILROOM_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url, dataDir });
    });
    child.once('exit', (code) => reject(new Error(`mailroom serve ended (${code}) before it was ready: ${err.trim()}`)));
  });
}

async function stop(served: Served): Promise<void> {
  const exited = new Promise((resolve) => served.child.once('exit', resolve));
  served.child.kill('SIGTERM');
  await exited;
  fs.rmSync(served.dataDir, { recursive: true, force: true });
}

async function loadOnce(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(FIRST_FIELD_PROBE);
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(() => (window as unknown as { __firstField?: number }).__firstField, undefined, { timeout: 30_000, polling: 20 });
    return (await handle.jsonValue()) as number;
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The scripts index.html loads before anything can show: its module script and every modulepreload. */
function initialScripts(): { files: string[]; gzipBytes: number; rawBytes: number } {
  const html = fs.readFileSync(path.join(RENDERER, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]!);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const file of new Set(files)) {
    const bytes = fs.readFileSync(path.join(RENDERER, file));
    rawBytes += bytes.length;
    gzipBytes += zlib.gzipSync(bytes, { level: 9 }).length;
  }
  return { files: [...new Set(files)], gzipBytes, rawBytes };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(RENDERER, 'index.html'))) throw new Error('No built renderer: run npm run build first');
  const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-bench-bare-'));
  fs.writeFileSync(path.join(bareDir, 'index.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head><body><label>Name <input></label></body></html>');
  const app = await serve({ MAILROOM_RENDERER_DIR: RENDERER });
  const bare = await serve({ MAILROOM_RENDERER_DIR: bareDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  const appTimes: number[] = [];
  const bareTimes: number[] = [];
  try {
    // One warm-up each (the server's first file reads, Chromium's first process), then turns.
    await loadOnce(browser, app.url);
    await loadOnce(browser, bare.url);
    for (let i = 0; i < LOADS; i++) {
      appTimes.push(await loadOnce(browser, app.url));
      bareTimes.push(await loadOnce(browser, bare.url));
    }
  } finally {
    await browser.close();
    await stop(app);
    await stop(bare);
    fs.rmSync(bareDir, { recursive: true, force: true });
  }
  const js = initialScripts();
  const appMedian = median(appTimes);
  const bareMedian = median(bareTimes);
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  console.log(`loads:                        ${LOADS} each, fresh browser context, 1024×768, headless Chromium`);
  console.log(`dialog, first editable field: median ${appMedian.toFixed(0)} ms  (${fmt(appTimes)})`);
  console.log(`bare page with one input:     median ${bareMedian.toFixed(0)} ms  (${fmt(bareTimes)})`);
  console.log(`ratio dialog / bare:          ${(appMedian / bareMedian).toFixed(1)}`);
  console.log(`initial JavaScript:           ${(js.gzipBytes / 1024).toFixed(0)} KB gzipped (${(js.rawBytes / 1024).toFixed(0)} KB) in ${js.files.length} file(s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
