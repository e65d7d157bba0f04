// The generated corpus assets (public/corpora/, built by `npm run corpora`, committed). Sizes are the
// decompressed text; the build script prints them and a test checks they still match the files.

export interface AssetInfo {
  /** File name under public/corpora/. */
  file: string;
  /** UTF-8 bytes of the decompressed text. */
  bytes: number;
  /** Unicode code points of the decompressed text. */
  chars: number;
  /** Bytes of the gzip file (what the browser downloads). */
  gzipBytes: number;
}

export const ASSET_DIR = 'corpora';

export const ASSETS = {
  'builtin:brown': { file: 'brown.txt.gz', bytes: 0, chars: 0, gzipBytes: 0 },
  'builtin:poetry': { file: 'poetry-tang.txt.gz', bytes: 0, chars: 0, gzipBytes: 0 },
} satisfies Record<string, AssetInfo>;
