// "Select Backend": picks the compute backend (empathy.backend) and offers to restart running kernels.
import * as vscode from 'vscode';

const CHOICES: Array<{ id: string; label: string; detail: string }> = [
  { id: 'auto', label: 'auto', detail: 'Fastest available: tfjs-node-gpu (CUDA), WebGPU (hardware GPU), tfjs-node (CPU), WebAssembly, plain JS' },
  { id: 'tensorflow-gpu', label: 'tensorflow-gpu', detail: 'CUDA GPU via the optional tfjs-node-gpu package (needs a real Node)' },
  { id: 'webgpu', label: 'webgpu', detail: 'GPU through Vulkan / Metal / D3D12 (Dawn, the optional webgpu package; needs a real Node)' },
  { id: 'tensorflow', label: 'tensorflow', detail: 'Native CPU via the optional tfjs-node package (needs a real Node)' },
  { id: 'wasm', label: 'wasm', detail: 'WebAssembly (SIMD): works everywhere' },
  { id: 'cpu', label: 'cpu', detail: 'Plain JavaScript: slowest, always available' },
];

export async function selectBackend(current?: string): Promise<string | undefined> {
  const cfg = vscode.workspace.getConfiguration('empathy');
  const now = cfg.get<string>('backend', 'auto');
  const pick = await vscode.window.showQuickPick(
    CHOICES.map((c) => ({ ...c, description: c.id === now ? 'current setting' : c.id === current ? 'in use' : undefined })),
    { title: 'Empathy: compute backend for kernels started from now on' });
  if (!pick || pick.id === now) return undefined;
  const target = vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await cfg.update('backend', pick.id, target);
  const a = await vscode.window.showInformationMessage(`Empathy backend set to ${pick.id}. Running kernels keep theirs until restarted.`, 'Restart Kernel');
  if (a) await vscode.commands.executeCommand('empathy.restartKernel');
  return pick.id;
}
