// The Node side of the GPU runtime: Dawn through the `webgpu` package. Only Node entry points (tests, CLI,
// benchmarks) import this file; the browser passes `navigator.gpu` to the same runtime instead.
import { existsSync, readdirSync } from 'node:fs';

const SWIFTSHADER_ICDS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];

// Mesa registers Intel/AMD ICDs whether or not such a GPU is present, so look for the device nodes a real
// GPU driver opens instead of for ICD files.
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
}

/**
 * Which Vulkan driver Dawn should load. A machine with a GPU keeps its driver; one without (CI, most dev
 * boxes here) gets SwiftShader's software driver from Debian's chromium package
 * (LLM_PLAYGROUND_SOFTWARE_GPU=1 forces it). Mesa's lavapipe does
 * not count: Dawn refuses it ("shaderUniform*ArrayDynamicIndexing required").
 */
export function vulkanIcd(): string | undefined {
  if (process.env.VK_ICD_FILENAMES) return process.env.VK_ICD_FILENAMES;
  if (process.env.LLM_PLAYGROUND_SOFTWARE_GPU !== '1' && hasGpuDevice()) return undefined;
  return SWIFTSHADER_ICDS.find((p) => existsSync(p));
}

let cached: Promise<GPU> | undefined;

/** The process-wide `GPU` object from Dawn, with WebGPU's global constants (GPUBufferUsage…) installed. */
export function nodeGpu(): Promise<GPU> {
  cached ??= (async () => {
    const icd = vulkanIcd();
    if (icd) process.env.VK_ICD_FILENAMES = icd;
    let mod: typeof import('webgpu');
    try {
      mod = await import('webgpu');
    } catch (e) {
      throw new Error(`The 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}. Run npm ci.`);
    }
    Object.assign(globalThis, mod.globals);
    // SwiftShader's driver-side zeroing of workgroup memory makes pipeline compiles grow with the kernel's
    // workgroup memory (~0.65 ms of CPU per float: seconds for an attention kernel). With this toggle Dawn
    // zeroes it in the shader instead — still zeroed, as WebGPU requires — and compiles take ~10× less.
    return mod.create(['disable-dawn-features=use_vulkan_zero_initialize_workgroup_memory_extension']) as GPU;
  })();
  return cached;
}
