// `npm run bench [-- options]`: the GPU benchmark, in headless Chromium (the product runs in Chrome).
// Serves bench/index.html with Vite on 127.0.0.1 (WebGPU needs a secure context), opens it through the
// shared launcher (scripts/chromium.mjs) and runs every section in bench/sections/ in that one page.
//
// Options:
//   --json            print exactly one JSON object on stdout ({"adapter":…, "matmul":[…], …}); the
//                     human-readable tables go to stderr either way
//   --quick           smaller cases only
//   --only=a,b        run only these sections (by key, e.g. --only=matmul)
//   --key=value       passed to the sections (matmul: --shapes=1024,qkv  --tiles=WGXxWGYxBK  --tfjs=no
//                     --targetMs=1500)
//   --timeout=s       give up after this many seconds (default 600)
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sharedData = resolve(root, '..', 'shared', 'data');

function parseArgs(argv) {
  const options = {};
  let json = false;
  let timeout = 600;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').filter(Boolean);
    else if (arg.startsWith('--timeout=')) timeout = Number(arg.slice(10));
    else if (/^--[\w-]+=/.test(arg)) {
      const eq = arg.indexOf('=');
      options[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else {
      console.error(`bench: unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return { options, json, timeout };
}

// CPU time of Chromium's GPU process (where SwiftShader runs the kernels), so that a run on a busy machine
// can still be judged: wall time stretches when other processes compete for the cores, CPU time much less.
// The GPU process is found as the `--type=gpu-process` descendant of the browser we launched (marked by a
// switch Chromium ignores). Linux only; elsewhere the CPU columns stay empty.
const MARK = `--llm-bench-run=${process.pid}`;

function readProc(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

let gpuPid = null;
function findGpuProcess() {
  if (gpuPid !== null && readProc(gpuPid, 'stat')) return gpuPid;
  let pids;
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    const cmd = readProc(pid, 'cmdline');
    if (!cmd || !cmd.includes('--type=gpu-process')) continue;
    // walk up to the browser process
    let p = pid;
    for (let depth = 0; depth < 6 && p && p !== '1'; depth++) {
      const stat = readProc(p, 'stat');
      if (!stat) break;
      p = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (readProc(p, 'cmdline')?.includes(MARK)) {
        gpuPid = pid;
        return pid;
      }
    }
  }
  return null;
}

/** Milliseconds of CPU the GPU process has used, summed over its threads (ns resolution), or null. */
function gpuProcessCpuMs() {
  const pid = findGpuProcess();
  if (!pid) return null;
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const s = readProc(`${pid}/task/${tid}`, 'schedstat');
      if (s) ns += Number(s.split(' ')[0]);
    }
  } catch {
    return null;
  }
  return ns / 1e6;
}

async function main() {
  const { options, json, timeout } = parseArgs(process.argv.slice(2));
  const shakespeare = resolve(sharedData, 'tinyshakespeare.txt');
  if (options.shakespeareUrl === undefined && existsSync(shakespeare)) options.shakespeareUrl = `/@fs${shakespeare}`;
  const { createServer } = await import('vite');
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    // ../shared/data (tinyshakespeare, for the train_step section) is served too; it is never shipped.
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, fs: { allow: [root, sharedData] } },
    // Pre-bundle tfjs up front so the page is not reloaded mid-run when Vite discovers it.
    optimizeDeps: { entries: ['bench/index.html'], include: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu'] },
  });
  let browser;
  const timer = setTimeout(() => {
    console.error(`bench: gave up after ${timeout} s`);
    process.exit(1);
  }, timeout * 1000);
  try {
    await server.listen();
    const addr = server.httpServer.address();
    const url = `http://127.0.0.1:${addr.port}/bench/index.html`;
    browser = await launchChromium({ args: [MARK] });
    const page = await browser.newPage();
    await page.exposeFunction('gpuProcessCpuMs', gpuProcessCpuMs);
    page.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('[bench] ')) console.error(text.slice(8));
      else if (msg.type() === 'error' || msg.type() === 'warning') console.error(`page ${msg.type()}: ${text}`);
    });
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(url);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 120_000 });
    const { result, report } = await page.evaluate((o) => window.runBench(o), options);
    for (const line of report) console.error(line);
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    clearTimeout(timer);
    await browser?.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(`bench failed: ${e?.stack ?? e}`);
  process.exit(1);
});
