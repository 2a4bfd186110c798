// `npm test`'s provisioning step for the webgpu tests on a machine without a GPU: Dawn's software
// adapter is Mesa's OpenGL ES (kernel/engine/webgpuBackend.ts). On Debian, running as root with apt, the
// missing Mesa packages are installed; elsewhere a note says how, and the webgpu suites skip with the
// reason (a real GPU driver, Vulkan/Metal/D3D12, needs none of this).
import { spawnSync } from 'node:child_process';
import { onPath } from './chromium';

/** Debian's packages that give Dawn an OpenGL ES adapter without a GPU (EGL surfaceless + llvmpipe). */
export const MESA_PACKAGES = ['libegl1', 'libegl-mesa0', 'libgles2', 'libgl1-mesa-dri'] as const;

export interface EnsureMesaResult {
  /** Never fails the run: without Mesa the webgpu tests skip and say why. */
  installed: boolean;
  message: string;
}

/** The packages of MESA_PACKAGES that dpkg does not list as installed (undefined: no dpkg here). */
export function missingMesaPackages(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const dpkg = onPath('dpkg-query', env);
  if (!dpkg) return undefined;
  return MESA_PACKAGES.filter((p) => {
    const r = spawnSync(dpkg, ['-W', '-f=${Status}', p], { env, encoding: 'utf8' });
    return r.status !== 0 || !/install ok installed/.test(r.stdout);
  });
}

export function ensureMesa(env: NodeJS.ProcessEnv = process.env, isRoot = process.getuid?.() === 0): EnsureMesaResult {
  const missing = missingMesaPackages(env);
  if (missing === undefined) return { installed: false, message: 'webgpu tests: not a Debian system (no dpkg-query): they run if Dawn finds an adapter, else skip and say why' };
  if (missing.length === 0) return { installed: true, message: `webgpu tests: Mesa's software OpenGL ES present (${MESA_PACKAGES.join(' ')})` };
  const command = `apt-get install -y ${missing.join(' ')}`;
  const apt = onPath('apt-get', env);
  if (!isRoot || !apt) return { installed: false, message: `webgpu tests: Mesa packages missing (${missing.join(' ')}); they will skip. To run them: sudo ${command}` };
  process.stderr.write(`npm test: installing Mesa's software OpenGL ES for the webgpu tests: ${command}\n`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(apt, ['update', '-qq'], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const install = update.status === 0 ? spawnSync(apt, ['install', '-y', '-qq', ...missing], { env: aptEnv, stdio: ['ignore', 'inherit', 'inherit'] }) : update;
  const still = missingMesaPackages(env) ?? missing;
  if (install.status === 0 && still.length === 0) return { installed: true, message: 'webgpu tests: Mesa installed with apt-get' };
  return { installed: false, message: `webgpu tests: installing Mesa failed (exit ${install.status ?? install.signal}); they will skip. To run them: ${command}` };
}
