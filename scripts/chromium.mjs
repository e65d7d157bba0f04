// Finds a Chromium/Chrome on this machine and launches it headless with WebGPU enabled, through
// playwright-core (which never downloads a browser). Used by the browser test suite, the e2e tests and the
// benchmarks.
//
//   import { findChromium, launchChromium, CHROMIUM_ARGS } from './chromium.mjs';
//   const browser = await launchChromium();            // headless, WebGPU on
//   const page = await browser.newPage();
//   await page.goto('http://127.0.0.1:5173/');          // WebGPU needs a secure context: localhost or https
//
// Without a GPU, Chromium's WebGPU runs on SwiftShader (software Vulkan), which ships with the browser.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Places a Chromium-family browser is installed, most specific first (the env vars come before these). */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
  join(homedir(), 'Applications/Chromium.app/Contents/MacOS/Chromium'),
  join(homedir(), 'Applications/Google Chrome.app/Contents/MacOS/Google Chrome'),
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
];

/**
 * Flags every launch gets. WebGPU is behind --enable-unsafe-webgpu on Linux; the two networking flags stop
 * Chromium from phoning home (nothing outside is reachable in CI, and it stalls start-up otherwise).
 */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-dev-shm-usage',
];

/** True when this process runs as root, where Chromium refuses to start without --no-sandbox. */
function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The arguments launchChromium passes: CHROMIUM_ARGS, plus --no-sandbox as root or in CI containers. */
export function chromiumArgs(extra = []) {
  const args = [...CHROMIUM_ARGS];
  if (isRoot() || process.env.CHROMIUM_NO_SANDBOX === '1') args.push('--no-sandbox');
  return [...args, ...extra];
}

export const INSTALL_HINT =
  'No Chromium or Chrome was found. Install one:\n' +
  '  Debian/Ubuntu:  sudo apt-get install chromium   (Ubuntu without snap: install google-chrome-stable from Google)\n' +
  '  macOS:          install Google Chrome from https://www.google.com/chrome/\n' +
  'or point CHROMIUM_PATH at the browser executable, e.g. CHROMIUM_PATH=/path/to/chrome npm test';

/**
 * The path of a Chromium-family browser: $CHROMIUM_PATH, then $CHROME_PATH, then the usual install paths.
 * Throws with installation instructions when none exists.
 */
export function findChromium() {
  for (const name of ['CHROMIUM_PATH', 'CHROME_PATH']) {
    const p = process.env[name];
    if (!p) continue;
    if (existsSync(p)) return p;
    throw new Error(`${name}=${p} does not exist.\n${INSTALL_HINT}`);
  }
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

/**
 * Playwright launch options for the found browser (for callers that hand them to another launcher, e.g.
 * Vitest's browser provider). `opts` are merged in; `opts.args` are appended to the default flags.
 */
export function chromiumLaunchOptions(opts = {}) {
  const { args = [], ...rest } = opts;
  return {
    executablePath: findChromium(),
    headless: process.env.HEADED !== '1',
    args: chromiumArgs(args),
    ...rest,
  };
}

/**
 * Launches the found browser headless with WebGPU on and returns a playwright-core `Browser`.
 * `opts` are playwright's launch options (`args` are appended to the defaults).
 */
export async function launchChromium(opts = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launch(chromiumLaunchOptions(opts));
}

// `node scripts/chromium.mjs` prints the browser it would use and, with --check, WebGPU's adapter there.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(findChromium());
    if (process.argv.includes('--check')) {
      const { createServer } = await import('node:http');
      const server = createServer((_, res) => {
        res.setHeader('content-type', 'text/html');
        res.end('<!doctype html><title>webgpu</title>');
      });
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${server.address().port}/`);
        const info = await page.evaluate(async () => {
          if (!navigator.gpu) return 'navigator.gpu is undefined';
          const a = await navigator.gpu.requestAdapter();
          return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'no adapter';
        });
        console.log(`WebGPU: ${info}`);
      } finally {
        await browser.close();
        server.close();
      }
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
