// Builds the app into dist-e2e/ and serves it with Vite's preview server on 127.0.0.1 for the e2e tests
// (or uses E2E_URL when set). The URL reaches the tests through `inject('baseUrl')`.
import type { TestProject } from 'vitest/node';
import { build, preview } from 'vite';
import { fileURLToPath } from 'node:url';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = 'dist-e2e';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.E2E_URL) {
    project.provide('baseUrl', process.env.E2E_URL);
    return async () => {};
  }
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 4190, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a local URL');
  project.provide('baseUrl', url);
  return async () => {
    await server.close();
  };
}
