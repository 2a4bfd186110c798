// The `webgpu` rung: tfjs-backend-webgpu on Dawn's Node binding (the optional npm package `webgpu`).
// Dawn drives the platform's GPU API (Vulkan on Linux/Windows, Metal on macOS, D3D12 on Windows), so no
// CUDA toolkit is needed. Auto takes a hardware adapter only; a forced `webgpu` also accepts a software one
// (Mesa llvmpipe through OpenGL ES: that is how the tests run on a machine without a GPU).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterInfo } from './types';

export type WebGpuAttempt =
  | { ok: true; device: 'GPU' | 'CPU'; detail: string; adapter: GpuAdapterInfo }
  | { ok: false; reason: string };

/** The Dawn backends to try, best first: EMPATHY_WEBGPU_BACKEND (comma-separated) or the platform's native API, then OpenGL ES. */
export function dawnBackends(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const listed = env.EMPATHY_WEBGPU_BACKEND?.split(',').map((s) => s.trim()).filter(Boolean);
  if (listed?.length) return listed;
  switch (platform) {
    case 'darwin': return ['metal'];
    case 'win32': return ['d3d12', 'vulkan'];
    default: return ['vulkan', 'opengles'];
  }
}

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software|basic render|null-backend/i;

/** Why an adapter is a software (CPU) rasteriser, or undefined for a hardware GPU. */
export function softwareReason(info: Pick<GpuAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> & { isFallbackAdapter?: boolean }): string | undefined {
  if (info.isFallbackAdapter) return 'Dawn marks it a fallback (CPU) adapter';
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const m = SOFTWARE.exec(text);
  return m ? `'${m[0]}' is a software (CPU) rasteriser` : undefined;
}

/** "llvmpipe-llvm-15… (OpenGL ES 3.2 Mesa 22.3.6; Dawn opengles, compatibility, software)" */
export function describeAdapter(a: GpuAdapterInfo): string {
  const name = [a.vendor, a.architecture, a.device].filter(Boolean).join(' ') || 'unnamed adapter';
  const extra = [a.description, `Dawn ${a.dawnBackend}`, a.featureLevel === 'compatibility' ? 'compatibility mode' : '', a.software ? 'software' : ''].filter(Boolean);
  return `${name} (${extra.join('; ')})`;
}

interface DawnGpu {
  requestAdapter(o?: Record<string, unknown>): Promise<DawnAdapter | null>;
}
interface DawnAdapter {
  info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean };
  features: Set<string>;
  limits: Record<string, number>;
  requestDevice(d?: Record<string, unknown>): Promise<DawnDevice>;
}
interface DawnDevice {
  destroy(): void;
  lost: Promise<unknown>;
}

/** The Dawn module (create + the WebGPU globals), loaded from the `webgpu` package's dist/<platform>-<arch>/dawn.node. */
function loadDawn(): { create(opts: string[]): DawnGpu; globals: Record<string, unknown> } {
  // The package's index.js is an ES module (Node 20 cannot require it), and all it adds is a fix for
  // GPUDevice.destroy() unmapping buffers, which this engine does not rely on: load the binding itself.
  const dir = path.dirname(require.resolve('webgpu/package.json'));
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  const file = path.join(dir, 'dist', `${process.platform}-${arch}`, 'dawn.node');
  if (!fs.existsSync(file)) throw new Error(`the webgpu package has no Dawn binary for ${process.platform}-${arch} (${file})`);
  return require(file);
}

/** OpenGL ES through Mesa needs a surfaceless EGL platform and a runtime dir; set them only when absent. */
function prepareEnvFor(dawnBackend: string): void {
  if (dawnBackend !== 'opengles' && dawnBackend !== 'opengl') return;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'empathy-xdg-'));
}

/** Whether libvulkan.so.1 is in a usual library folder or on LD_LIBRARY_PATH (Linux). */
function vulkanLoaderPresent(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/lib/x86_64-linux-gnu', '/lib64'];
  return dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

interface Found { gpu: DawnGpu; adapter: DawnAdapter; info: GpuAdapterInfo }
let active: { info: GpuAdapterInfo; device: DawnDevice; gpu: DawnGpu } | undefined;

async function findAdapter(allowSoftware: boolean): Promise<{ found?: Found; reasons: string[] }> {
  let dawn: ReturnType<typeof loadDawn>;
  try {
    dawn = loadDawn();
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    return { reasons: [/Cannot find module 'webgpu/.test(msg) ? 'the optional package webgpu (Dawn) is not installed' : `webgpu (Dawn) failed to load: ${msg}`] };
  }
  Object.assign(globalThis, dawn.globals); // GPUBufferUsage, GPUMapMode… that tfjs-backend-webgpu reads as globals
  const reasons: string[] = [];
  let software: Found | undefined;
  const listed = Boolean(process.env.EMPATHY_WEBGPU_BACKEND?.trim());
  for (const b of dawnBackends()) {
    // Without a Vulkan loader Dawn only prints a stack line and finds nothing: say so instead (unless the
    // backend list was given explicitly, e.g. for a loader outside the usual folders).
    if (b === 'vulkan' && process.platform === 'linux' && !listed && !vulkanLoaderPresent()) {
      reasons.push('Dawn vulkan: no Vulkan loader (libvulkan.so.1) installed');
      continue;
    }
    // Auto does not open an OpenGL ES context just to turn it down: without a Vulkan driver it is almost
    // always Mesa's CPU rasteriser, and probing it costs every command time and two Dawn warnings.
    if (b === 'opengles' && !allowSoftware && !listed) {
      reasons.push('Dawn opengles: not probed in auto (without a Vulkan driver OpenGL ES is usually a software rasteriser); force webgpu or set EMPATHY_WEBGPU_BACKEND=opengles to use it');
      continue;
    }
    prepareEnvFor(b);
    let gpu: DawnGpu;
    try {
      gpu = dawn.create([`backend=${b}`]);
    } catch (e) {
      reasons.push(`Dawn ${b}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    let adapter: DawnAdapter | null = null;
    let featureLevel: GpuAdapterInfo['featureLevel'] = 'core';
    try {
      adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (!adapter) {
        // OpenGL ES (and older drivers) offer only WebGPU's compatibility feature level.
        featureLevel = 'compatibility';
        adapter = await gpu.requestAdapter({ powerPreference: 'high-performance', featureLevel });
      }
    } catch (e) {
      reasons.push(`Dawn ${b}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!adapter) {
      reasons.push(`Dawn ${b}: no adapter`);
      continue;
    }
    const i = adapter.info;
    const why = softwareReason(i);
    const info: GpuAdapterInfo = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, dawnBackend: b, featureLevel, software: why !== undefined };
    if (!why) return { found: { gpu, adapter, info }, reasons };
    if (!allowSoftware) reasons.push(`Dawn ${b}: ${describeAdapter(info)} skipped: ${why}`);
    else software ??= { gpu, adapter, info };
  }
  return { found: software, reasons };
}

/**
 * Start tfjs's webgpu backend on the best Dawn adapter: hardware first; a software adapter only when
 * `allowSoftware` (a forced `webgpu`). Reuses the device started earlier in this process.
 */
export async function tryWebGpu(allowSoftware: boolean): Promise<WebGpuAttempt> {
  if (active && (allowSoftware || !active.info.software) && tf.findBackend('webgpu')) {
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: "the webgpu backend failed to initialise" };
    return ok(active.info);
  }
  let backendPkg: typeof import('@tensorflow/tfjs-backend-webgpu');
  try {
    backendPkg = require('@tensorflow/tfjs-backend-webgpu') as typeof import('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-webgpu failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
  const { found, reasons } = await findAdapter(allowSoftware);
  if (!found) return { ok: false, reason: reasons.join('; ') || 'no WebGPU adapter' };
  const { gpu, adapter, info } = found;
  try {
    // The limits and features tfjs-backend-webgpu asks for when it makes its own device.
    const requiredFeatures = ['timestamp-query'].filter((f) => adapter.features.has(f));
    const L = adapter.limits;
    const requiredLimits: Record<string, number> = {};
    for (const k of ['maxComputeWorkgroupStorageSize', 'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupSizeX', 'maxComputeInvocationsPerWorkgroup']) requiredLimits[k] = L[k];
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    // tfjs-backend-webgpu checks navigator.gpu; Dawn keeps the process alive while it is referenced
    // (releaseWebGpu() lets go of it).
    const nav = ((globalThis as { navigator?: Record<string, unknown> }).navigator ??= {});
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
    if (tf.findBackend('webgpu') || tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
    const backend = new backendPkg.WebGPUBackend(device as never, adapter.info as never);
    tf.registerBackend('webgpu', () => backend, 0);
    if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'the webgpu backend failed to initialise' };
    await tf.ready();
    active = { info, device, gpu };
    return ok(info);
  } catch (e) {
    return { ok: false, reason: `webgpu on ${describeAdapter(info)} failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

function ok(info: GpuAdapterInfo): WebGpuAttempt {
  return { ok: true, device: info.software ? 'CPU' : 'GPU', detail: `webgpu (${describeAdapter(info)})`, adapter: info };
}

/** The adapter of the running webgpu backend, if one was started. */
export function activeAdapter(): GpuAdapterInfo | undefined {
  return active?.info;
}

/**
 * Let go of the GPU: dispose the tfjs backend, destroy the device and drop navigator.gpu, so the process
 * can exit (Dawn keeps Node alive while its instance is referenced). Safe to call when none was started.
 */
export function releaseWebGpu(): void {
  if (!active) return;
  if (tf.findBackend('webgpu')) {
    if (tf.getBackend() === 'webgpu') void tf.setBackend('cpu');
    tf.removeBackend('webgpu');
  }
  try { active.device.destroy(); } catch { /* already lost */ }
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav && nav.gpu === active.gpu) delete nav.gpu;
  active = undefined;
}
