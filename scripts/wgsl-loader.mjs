// Lets Node (the CLI and benchmarks, run through tsx) import WGSL the way Vite does: `import src from './x.wgsl?raw'`.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (/\\.wgsl\\?raw$/.test(url)) {
    const text = await readFile(new URL(url.replace(/\\?raw$/, '')), 'utf8');
    return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
  }
  return next(url, context);
}`),
);
