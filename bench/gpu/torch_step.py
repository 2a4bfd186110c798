# The same training step as the engine's bi-encoder benchmark (bench/engine.ts), in PyTorch (CUDA when
# available), for the ratio: two RoBERTa-shaped encoders (post-LN, GELU), the seeker one frozen (forward
# without grad), the responder trained, one-head cross-attention, level + rationale heads, clip 1.0, AdamW
# lr 2e-5; then inference throughput (level softmax) on the same batch.
# Shapes per preset (kernel/models/bi-encoder/config.ts): tiny = h32 L2 H2 ff64 vocab 120;
# small = h256 L4 H4 ff1024 vocab 8000; roberta-base = h768 L12 H12 ff3072 vocab 50265.
# Usage: python3 torch_step.py [PRESETS] [--batch 32] [--seq-len 64] [--steps 3] [--cpu]
# Prints one JSON line per preset. Without CUDA it says so on stderr and runs on the CPU (device "cpu",
# cuda false), so a ratio taken against it is not a GPU ratio.
import argparse, json, resource, sys, time
import torch
import torch.nn as nn

PRESETS = {'tiny': (32, 2, 2, 64, 120), 'small': (256, 4, 4, 1024, 8000), 'roberta-base': (768, 12, 12, 3072, 50265)}

class Encoder(nn.Module):
    def __init__(self, h, L, H, ff, vocab, T):
        super().__init__()
        self.tok = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(T + 2, h)
        self.norm = nn.LayerNorm(h, eps=1e-5)
        layer = nn.TransformerEncoderLayer(h, H, ff, dropout=0.1, activation='gelu', batch_first=True, norm_first=False)
        self.layers = nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
    def forward(self, ids, mask):
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)  # [1, T]
        x = self.norm(self.tok(ids) + self.pos(pos))                      # [B, T, h]
        return self.layers(x, src_key_padding_mask=(mask == 0))           # [B, T, h]

class BiEncoder(nn.Module):
    def __init__(self, h, L, H, ff, vocab, T):
        super().__init__()
        self.seeker = Encoder(h, L, H, ff, vocab, T)
        self.responder = Encoder(h, L, H, ff, vocab, T)
        for p in self.seeker.parameters(): p.requires_grad_(False)
        self.cross = nn.MultiheadAttention(h, 1, batch_first=True)
        self.level = nn.Sequential(nn.Linear(h, h), nn.Tanh(), nn.Linear(h, 3))
        self.rationale = nn.Linear(h, 2)
    def forward(self, sp, spm, rp, rpm):
        with torch.no_grad():
            s = self.seeker(sp, spm)       # [B, T, h]
        r = self.responder(rp, rpm)        # [B, T, h]
        c, _ = self.cross(r, s, s)         # [B, T, h]
        r = r + c
        return self.level(r[:, 0]), self.rationale(r)  # [B, 3], [B, T, 2]

def run(preset, steps, B, T, dev):
    torch.manual_seed(12)
    m = BiEncoder(*PRESETS[preset], T).to(dev)
    trained = [p for p in m.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trained, lr=2e-5)
    vocab = PRESETS[preset][4]
    ids = lambda: torch.randint(4, vocab, (B, T), device=dev)
    mask = torch.ones(B, T, dtype=torch.long, device=dev)
    sp, rp = ids(), ids()
    lv = torch.randint(0, 3, (B,), device=dev)
    ra = torch.randint(0, 2, (B, T), device=dev)
    ce = nn.CrossEntropyLoss()
    sync = (lambda: torch.cuda.synchronize()) if dev == 'cuda' else (lambda: None)
    if dev == 'cuda': torch.cuda.reset_peak_memory_stats()
    times = []
    m.train()
    for s in range(steps + 1):  # step 0 warms up
        sync(); t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        lo, ro = m(sp, mask, rp, mask)
        loss = 0.5 * ce(lo, lv) + 0.5 * ce(ro.reshape(-1, 2), ra.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        opt.step()
        float(loss)
        sync()
        if s > 0: times.append(time.perf_counter() - t0)
    m.eval()
    infer_batches, infer_s = 3, 0.0
    with torch.no_grad():
        for i in range(infer_batches + 1):  # batch 0 warms up
            sync(); t0 = time.perf_counter()
            probs = torch.softmax(m(sp, mask, rp, mask)[0], -1)
            probs.cpu()
            if i > 0: infer_s += time.perf_counter() - t0
    times.sort()
    out = {'preset': preset, 'device': torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu', 'cuda': dev == 'cuda',
           'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': B, 'seqLen': T, 'steps': steps,
           'stepSeconds': times[len(times) // 2], 'pairsPerSecond': infer_batches * B / infer_s,
           'peakRssGB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2}
    if dev == 'cuda': out['peakGpuMB'] = torch.cuda.max_memory_allocated() / 1024 ** 2
    return out

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('presets', nargs='?', default='small,roberta-base')
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seq-len', type=int, default=64)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--cpu', action='store_true', help='run on the CPU even where CUDA is available')
    a = ap.parse_args()
    dev = 'cuda' if torch.cuda.is_available() and not a.cpu else 'cpu'
    if dev == 'cpu' and not a.cpu:
        built = torch.version.cuda or 'none'
        print(f'torch_step: CUDA not available (torch {torch.__version__}, built with CUDA {built}); running on the CPU, '
              'so any ratio against these numbers is NOT a GPU ratio', file=sys.stderr, flush=True)
    for p in a.presets.split(','):
        if p not in PRESETS: sys.exit(f"torch_step: unknown preset '{p}' (known: {', '.join(PRESETS)})")
        print(json.dumps(run(p, a.steps, a.batch, a.seq_len, dev)), flush=True)
