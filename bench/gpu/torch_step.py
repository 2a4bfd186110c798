# The same training step as the engine's bi-encoder benchmark, in PyTorch (CUDA when available), for the
# ratio: two RoBERTa-shaped encoders (post-LN, GELU), the seeker one frozen (forward without grad), the
# responder trained, one-head cross-attention, level + rationale heads, clip 1.0, AdamW lr 2e-5.
# Shapes per preset: small = h256 L4 H4 ff1024 vocab 8000; roberta-base = h768 L12 H12 ff3072 vocab 50265.
# B32 T64 per side, as bench/engine.ts. Prints one JSON line per preset.
import json, sys, time
import torch
import torch.nn as nn

PRESETS = {'small': (256, 4, 4, 1024, 8000), 'roberta-base': (768, 12, 12, 3072, 50265)}

class Encoder(nn.Module):
    def __init__(self, h, L, H, ff, vocab, T):
        super().__init__()
        self.tok = nn.Embedding(vocab, h)
        self.pos = nn.Embedding(T + 2, h)
        self.norm = nn.LayerNorm(h, eps=1e-5)
        layer = nn.TransformerEncoderLayer(h, H, ff, dropout=0.1, activation='gelu', batch_first=True, norm_first=False)
        self.layers = nn.TransformerEncoder(layer, L, enable_nested_tensor=False)
    def forward(self, ids, mask):
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        x = self.norm(self.tok(ids) + self.pos(pos))
        return self.layers(x, src_key_padding_mask=(mask == 0))

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
            s = self.seeker(sp, spm)
        r = self.responder(rp, rpm)
        c, _ = self.cross(r, s, s)
        r = r + c
        return self.level(r[:, 0]), self.rationale(r)

def run(preset, steps=3, B=32, T=64):
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    torch.manual_seed(12)
    m = BiEncoder(*PRESETS[preset], T).to(dev)
    opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=2e-5)
    vocab = PRESETS[preset][4]
    ids = lambda: torch.randint(4, vocab, (B, T), device=dev)
    mask = torch.ones(B, T, dtype=torch.long, device=dev)
    sp, rp = ids(), ids()
    lv = torch.randint(0, 3, (B,), device=dev)
    ra = torch.randint(0, 2, (B, T), device=dev)
    ce = nn.CrossEntropyLoss()
    times = []
    for s in range(steps + 1):
        if dev == 'cuda': torch.cuda.synchronize()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        lo, ro = m(sp, mask, rp, mask)
        loss = 0.5 * ce(lo, lv) + 0.5 * ce(ro.reshape(-1, 2), ra.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in m.parameters() if p.requires_grad], 1.0)
        opt.step()
        float(loss)
        if dev == 'cuda': torch.cuda.synchronize()
        if s > 0: times.append(time.perf_counter() - t0)
    times.sort()
    name = torch.cuda.get_device_name(0) if dev == 'cuda' else 'cpu'
    return {'preset': preset, 'device': name, 'torch': torch.__version__, 'stepSeconds': times[len(times) // 2]}

if __name__ == '__main__':
    for p in (sys.argv[1].split(',') if len(sys.argv) > 1 else ['small', 'roberta-base']):
        print(json.dumps(run(p)), flush=True)
