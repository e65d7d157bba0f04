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
  'builtin:brown': { file: 'brown.txt.gz', bytes: 5_976_121, chars: 5_976_121, gzipBytes: 2_242_141 },
  'builtin:poetry': { file: 'poetry-tang.txt.gz', bytes: 2_499_951, chars: 899_051, gzipBytes: 1_283_782 },
} satisfies Record<string, AssetInfo>;
