// The safetensors layer: files built byte by byte here (independent of the writer), dtype decoding
// against known bit patterns, every malformed-file case, and random corruption never escaping as
// anything but a CheckpointError.
import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  bf16ToNumber,
  encodeSafetensors,
  f16ToNumber,
  parseSafetensors,
  tensorAsF32,
  type CheckpointErrorCode,
} from '../../src/model/checkpoint/index.ts';
import { Rng } from '../../src/model/reference/random.ts';

/** A safetensors file assembled by hand: u64 LE length, header text (padded to `pad` if given), data. */
function handBuild(header: string, data: number[] | Uint8Array, pad = 1, lengthOverride?: bigint): Uint8Array {
  let h = header;
  while ((new TextEncoder().encode(h).length) % pad !== 0) h += ' ';
  const hb = new TextEncoder().encode(h);
  const len = lengthOverride ?? BigInt(hb.length);
  const out = new Uint8Array(8 + hb.length + data.length);
  for (let i = 0; i < 8; i++) out[i] = Number((len >> BigInt(8 * i)) & 0xffn);
  out.set(hb, 8);
  out.set(data, 8 + hb.length);
  return out;
}

function expectError(fn: () => unknown, code: CheckpointErrorCode, ...fragments: (string | RegExp)[]): CheckpointError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  const err = caught as CheckpointError;
  expect(err.code, err.message).toBe(code);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

const F32_BYTES: Record<string, number[]> = {
  '1': [0x00, 0x00, 0x80, 0x3f],
  '-2': [0x00, 0x00, 0x00, 0xc0],
  '0.5': [0x00, 0x00, 0x00, 0x3f],
  '3': [0x00, 0x00, 0x40, 0x40],
};

describe('hand-built files', () => {
  it('reads F32, F16, BF16, I32, I64, U8 tensors and metadata from a file written byte by byte', () => {
    // Deliberately not in offset order in the header, unpadded header (so F32 data is unaligned).
    const header =
      '{"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},' +
      '"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},' +
      '"__metadata__":{"format":"pt","note":"h\\u00e9llo"},' +
      '"c":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]},' +
      '"d":{"dtype":"I32","shape":[1],"data_offsets":[26,30]},' +
      '"e":{"dtype":"I64","shape":[2],"data_offsets":[30,46]},' +
      '"f":{"dtype":"U8","shape":[3],"data_offsets":[46,49]},' +
      '"s":{"dtype":"F32","shape":[],"data_offsets":[49,53]},' +
      '"z":{"dtype":"F32","shape":[0,4],"data_offsets":[53,53]}}';
    const data = [
      ...F32_BYTES['1'], ...F32_BYTES['-2'], ...F32_BYTES['0.5'], ...F32_BYTES['3'], // a
      0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, // b: 1, -2, 0.5 in f16
      0x80, 0x3f, 0x49, 0x40, // c: 1, 3.140625 in bf16
      0xf9, 0xff, 0xff, 0xff, // d: -7
      0x05, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // e: 5, -2
      0, 7, 255, // f
      ...F32_BYTES['3'], // s (scalar)
    ];
    const bytes = handBuild(header, data);
    const f = parseSafetensors(bytes, 'hand.safetensors');
    expect(f.metadata).toEqual({ format: 'pt', note: 'héllo' });
    expect(f.tensors.map((t) => t.name)).toEqual(['b', 'a', 'c', 'd', 'e', 'f', 's', 'z']);
    const get = (n: string) => Array.from(tensorAsF32(f, f.byName.get(n)!));
    expect(get('a')).toEqual([1, -2, 0.5, 3]);
    expect(f.byName.get('a')!.shape).toEqual([2, 2]);
    expect(get('b')).toEqual([1, -2, 0.5]);
    expect(get('c')).toEqual([1, 3.140625]);
    expect(get('d')).toEqual([-7]);
    expect(get('e')).toEqual([5, -2]);
    expect(get('f')).toEqual([0, 7, 255]);
    expect(get('s')).toEqual([3]);
    expect(get('z')).toEqual([]);
  });

  it('accepts a space-padded header and gives a zero-copy view when the data is aligned', () => {
    const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const bytes = handBuild(header, [...F32_BYTES['1'], ...F32_BYTES['3']], 8);
    const f = parseSafetensors(bytes.buffer);
    expect(f.headerLength % 8).toBe(0);
    const w = tensorAsF32(f, f.byName.get('w')!);
    expect(Array.from(w)).toEqual([1, 3]);
    expect(w.buffer).toBe(bytes.buffer); // a view, not a copy
    // The same bytes at an odd address: still correct, now a copy.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const g = parseSafetensors(shifted.subarray(1));
    const w2 = tensorAsF32(g, g.byName.get('w')!);
    expect(Array.from(w2)).toEqual([1, 3]);
    expect(w2.buffer).not.toBe(shifted.buffer);
  });

  it('rejects F8 data clearly (known dtype, not convertible)', () => {
    const bytes = handBuild('{"q":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}', [1, 2]);
    const f = parseSafetensors(bytes);
    expectError(() => tensorAsF32(f, f.byName.get('q')!), 'dtype', /F8_E4M3/, /cannot be converted/);
  });
});

describe('dtype decoding', () => {
  it('F16 bit patterns', () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x3800, 0.5],
      [0x7bff, 65504],
      [0x0400, 2 ** -14], // smallest normal
      [0x0001, 2 ** -24], // smallest subnormal
      [0x03ff, 1023 * 2 ** -24], // largest subnormal
      [0x3555, 0.333251953125],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
      [0x0000, 0],
    ];
    for (const [bits, value] of cases) expect(f16ToNumber(bits), bits.toString(16)).toBe(value);
    expect(Object.is(f16ToNumber(0x8000), -0)).toBe(true);
    expect(f16ToNumber(0x7e00)).toBeNaN();
    expect(f16ToNumber(0x7c01)).toBeNaN();
  });

  it('BF16 bit patterns', () => {
    const cases: [number, number][] = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x4049, 3.140625],
      [0x7f7f, 3.3895313892515355e38], // largest finite
      [0x0080, 2 ** -126], // smallest normal
      [0x0001, 2 ** -133], // smallest subnormal
      [0x7f80, Infinity],
      [0xff80, -Infinity],
    ];
    for (const [bits, value] of cases) expect(bf16ToNumber(bits), bits.toString(16)).toBe(value);
    expect(Object.is(bf16ToNumber(0x8000), -0)).toBe(true);
    expect(bf16ToNumber(0x7fc0)).toBeNaN();
  });

  it('bulk F16/BF16 tensors decode element by element like the scalar functions', () => {
    const rng = new Rng(7);
    const n = 257;
    const raw = new Uint8Array(2 * n);
    for (let i = 0; i < raw.length; i++) raw[i] = rng.int(256);
    for (const dtype of ['F16', 'BF16'] as const) {
      const f = parseSafetensors(handBuild(`{"t":{"dtype":"${dtype}","shape":[${n}],"data_offsets":[0,${2 * n}]}}`, raw));
      const got = tensorAsF32(f, f.byName.get('t')!);
      for (let i = 0; i < n; i++) {
        const bits = raw[2 * i] | (raw[2 * i + 1] << 8);
        const want = Math.fround(dtype === 'F16' ? f16ToNumber(bits) : bf16ToNumber(bits));
        if (Number.isNaN(want)) expect(got[i]).toBeNaN();
        else expect(got[i]).toBe(want);
      }
    }
  });
});

describe('malformed files', () => {
  const good = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const data8 = [...F32_BYTES['1'], ...F32_BYTES['3']];

  it('too short / empty', () => {
    expectError(() => parseSafetensors(new Uint8Array(0), 'x.safetensors'), 'too-short', /"x.safetensors" is empty/);
    expectError(() => parseSafetensors(new Uint8Array(5), 'x.safetensors'), 'too-short', /only 5 bytes/);
  });

  it('absurd header length: over 100 MB, over 4 GB, longer than the file', () => {
    expectError(() => parseSafetensors(handBuild(good, data8, 1, 200_000_000n)), 'header-length', /200000000 bytes, over the 100 MB limit/);
    expectError(() => parseSafetensors(handBuild(good, data8, 1, 1n << 40n)), 'header-length', /more than 4 GB/);
    expectError(() => parseSafetensors(handBuild(good, data8, 1, 5000n), 'm.safetensors'), 'header-length', /"m.safetensors"/, /header length is 5000 bytes but the whole file is only/);
  });

  it('recognises other formats (wrong magic)', () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]);
    expectError(() => parseSafetensors(zip, 'pytorch_model.bin'), 'not-safetensors', /PyTorch/);
    const gguf = new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expectError(() => parseSafetensors(gguf), 'not-safetensors', /GGUF/);
    const json = new TextEncoder().encode('{\n  "n_embd": 768,\n  "n_layer": 12\n}\n');
    expectError(() => parseSafetensors(json, 'config.json'), 'not-safetensors', /JSON text file/);
    const random = new Uint8Array(64).fill(0xaa);
    expectError(() => parseSafetensors(random), 'header-length');
  });

  it('header not JSON, not an object, not UTF-8', () => {
    expectError(() => parseSafetensors(handBuild('{"w": oops}', [])), 'header-json', /not valid JSON/);
    expectError(() => parseSafetensors(handBuild('[1,2]', [])), 'header-json', /does not start with "\{"/);
    expectError(() => parseSafetensors(handBuild('{}', []).map((b, i) => (i === 9 ? 0xff : b))), 'header-json', /not UTF-8/);
    expectError(() => parseSafetensors(handBuild('{"w":[1,2]}', [])), 'header-entry', /"w" is not described by an object/);
  });

  it('unknown dtype, bad shape, bad offsets entries', () => {
    expectError(() => parseSafetensors(handBuild('{"w":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,8]}}', data8)), 'dtype', /unknown dtype "Q4_K"/);
    expectError(() => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}', data8)), 'header-entry', /invalid "shape"/);
    expectError(() => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}}', data8)), 'header-entry', /data_offsets/);
    expectError(() => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[2]}}', data8)), 'header-entry', /data_offsets/);
    expectError(() => parseSafetensors(handBuild('{"w":{"shape":[2],"data_offsets":[0,8]}}', data8)), 'header-entry', /no "dtype"/);
    expectError(() => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}', data8)), 'offsets', /end before they begin/);
    expectError(
      () => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[1e300,1e300],"data_offsets":[0,8]}}', data8)),
      'header-entry',
    );
    expectError(
      () => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}', data8)),
      'offsets',
      /impossibly large/,
    );
  });

  it('offsets that disagree with shape × dtype, overlap, leave a gap, run past the end', () => {
    expectError(
      () => parseSafetensors(handBuild('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', data8)),
      'offsets',
      /F32 \[3\], which takes 12 bytes, but its data_offsets \[0, 8\] cover 8 bytes/,
    );
    const two = (a: string, b: string) => `{"a":{"dtype":"F32","shape":[1],"data_offsets":${a}},"b":{"dtype":"F32","shape":[1],"data_offsets":${b}}}`;
    expectError(() => parseSafetensors(handBuild(two('[0,4]', '[2,6]'), [...data8, 0, 0])), 'offsets', /"b" \(bytes 2–6\) overlaps tensor "a"/);
    expectError(() => parseSafetensors(handBuild(two('[0,4]', '[0,4]'), data8.slice(0, 4))), 'offsets', /overlaps/);
    expectError(() => parseSafetensors(handBuild(two('[0,4]', '[8,12]'), [...data8, 0, 0, 0, 0])), 'offsets', /gap of 4 unused bytes before tensor "b"/);
    expectError(() => parseSafetensors(handBuild(two('[4,8]', '[8,12]'), [...data8, 0, 0, 0, 0])), 'offsets', /gap of 4 unused bytes before tensor "a"/);
    expectError(() => parseSafetensors(handBuild(two('[0,4]', '[4,8]'), data8.slice(0, 6)), 'f.safetensors'), 'truncated', /"f.safetensors" is truncated/, /8 bytes of tensor data but only 6/);
    expectError(() => parseSafetensors(handBuild(good, [...data8, 0, 0])), 'trailing-bytes', /2 unexpected bytes/);
  });

  it('metadata must be an object of strings', () => {
    expectError(() => parseSafetensors(handBuild('{"__metadata__":{"n":3}}', [])), 'metadata', /"n" is a number/);
    expectError(() => parseSafetensors(handBuild('{"__metadata__":"x"}', [])), 'metadata', /must be an object/);
  });

  it('an empty file with only a header is valid', () => {
    const f = parseSafetensors(handBuild('{}', [], 8));
    expect(f.tensors).toEqual([]);
    expect(f.metadata).toBeNull();
  });
});

describe('writer', () => {
  it('writes a spec-conformant layout (padded header, ordered, contiguous) that the parser reads back bit-exactly', () => {
    const a = new Float32Array([1, -0, NaN, Infinity, 1e-45]);
    const b = new Float32Array([2, 3, 4, 5, 6, 7]);
    const bytes = encodeSafetensors([['z.first', { shape: [5], data: a }], ['a.second', { shape: [2, 3], data: b }]], { format: 'pt', k: 'v"\n' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(text.indexOf('__metadata__')).toBeLessThan(text.indexOf('z.first'));
    expect(text.indexOf('z.first')).toBeLessThan(text.indexOf('a.second'));
    const f = parseSafetensors(bytes);
    expect(f.metadata).toEqual({ format: 'pt', k: 'v"\n' });
    expect(f.tensors.map((t) => [t.name, t.begin, t.end])).toEqual([
      ['z.first', 0, 20],
      ['a.second', 20, 44],
    ]);
    expect(new Uint32Array(tensorAsF32(f, f.byName.get('z.first')!).slice().buffer)).toEqual(new Uint32Array(a.buffer));
    expect(Array.from(tensorAsF32(f, f.byName.get('a.second')!))).toEqual(Array.from(b));
  });

  it('refuses inconsistent input', () => {
    expectError(() => encodeSafetensors([['w', { shape: [3], data: new Float32Array(2) }]]), 'invalid-checkpoint', /shape \[3\]/);
    expectError(
      () => encodeSafetensors([['w', { shape: [1], data: new Float32Array(1) }], ['w', { shape: [1], data: new Float32Array(1) }]]),
      'invalid-checkpoint',
      /twice/,
    );
    expectError(() => encodeSafetensors([['__metadata__', { shape: [1], data: new Float32Array(1) }]]), 'invalid-checkpoint');
  });
});

describe('random corruption', () => {
  it('never throws anything but a CheckpointError', () => {
    const rng = new Rng(12345);
    const base = encodeSafetensors(
      [
        ['a', { shape: [3, 4], data: new Float32Array(12).fill(1.5) }],
        ['b', { shape: [5], data: new Float32Array(5).fill(-2) }],
      ],
      { format: 'pt', x: 'y' },
    );
    let ok = 0;
    for (let trial = 0; trial < 1000; trial++) {
      const bytes = base.slice();
      const mode = trial % 3;
      let view: Uint8Array = bytes;
      if (mode === 0) {
        for (let k = 0; k < 1 + rng.int(4); k++) bytes[rng.int(bytes.length)] = rng.int(256);
      } else if (mode === 1) {
        view = bytes.subarray(0, rng.int(bytes.length));
      } else {
        // Corrupt a digit inside the header.
        const i = 8 + rng.int(100);
        bytes[i] = 0x30 + rng.int(10);
      }
      try {
        const f = parseSafetensors(view);
        for (const t of f.tensors) tensorAsF32(f, t);
        ok++;
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw e;
        expect(e.message.length).toBeGreaterThan(10);
      }
    }
    expect(ok).toBeGreaterThan(0); // flips inside the data section are still valid files
  });
});
