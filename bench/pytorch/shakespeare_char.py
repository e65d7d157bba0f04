"""PyTorch stand-in for issue 3's quality check: nanoGPT's CPU recipe on tinyshakespeare, char level.

The same GPT-2 block as src/model/gpt.ts (biases, tanh-GELU, LayerNorm eps 1e-5, tied embeddings, GPT-2
init with residual projections scaled by 1/sqrt(2*layers)) and the same recipe as `npm run cli -- pretrain
--preset baby-cpu --tokenizer char`: 4 layers, 4 heads, 128 dims, context 64, batch 12, AdamW (0.9, 0.99,
weight decay 0.1 on matrices only), lr 1e-3 with 100 warm-up steps and cosine decay to 1e-4 at step 2000,
clip 1.0, no dropout. Prints one JSON object per evaluation: {"step","val_loss","train_loss"}.

  /usr/bin/python3 bench/pytorch/shakespeare_char.py ../shared/data/tinyshakespeare.txt [--seed N]

Only a benchmark reference (Debian's python3-torch); nothing in the app or the tests runs it.
"""
import argparse, json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('text')
p.add_argument('--seed', type=int, default=1337)
p.add_argument('--steps', type=int, default=2000)
p.add_argument('--eval-every', type=int, default=250)
p.add_argument('--eval-iters', type=int, default=20)
a = p.parse_args()
torch.manual_seed(a.seed)
torch.set_num_threads(2)

L, H, C, T, B = 4, 4, 128, 64, 12
LR, MIN_LR, WARMUP = 1e-3, 1e-4, 100

text = open(a.text, encoding='utf-8').read()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
n = int(0.9 * len(data))
splits = {'train': data[:n], 'val': data[n:]}


def batch(split):
    d = splits[split]
    ix = torch.randint(len(d) - T - 1, (B,))
    return torch.stack([d[i:i + T] for i in ix]), torch.stack([d[i + 1:i + 1 + T] for i in ix])


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.attn_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x):
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        heads = lambda t: t.view(x.shape[0], x.shape[1], H, C // H).transpose(1, 2)
        y = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), is_causal=True) \
            if hasattr(F, 'scaled_dot_product_attention') else None
        if y is None:  # torch < 2.0
            att = (heads(q) @ heads(k).transpose(-2, -1)) / math.sqrt(C // H)
            mask = torch.tril(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool))
            y = att.masked_fill(~mask, float('-inf')).softmax(-1) @ heads(v)
        x = x + self.attn_proj(y.transpose(1, 2).reshape(x.shape))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, C), nn.Embedding(T, C)
        self.h = nn.ModuleList(Block() for _ in range(L))
        self.ln_f = nn.LayerNorm(C)
        for name, prm in self.named_parameters():
            if prm.dim() == 2:
                std = 0.02 / math.sqrt(2 * L) if name.endswith('proj.weight') else 0.02
                nn.init.normal_(prm, 0.0, std)
            elif name.endswith('bias') and 'ln' not in name:
                nn.init.zeros_(prm)

    def forward(self, idx, targets):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.h:
            x = blk(x)
        logits = self.ln_f(x) @ self.wte.weight.T  # tied LM head
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


model = GPT(len(chars))
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=LR, betas=(0.9, 0.99))


def lr_at(it):
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    ratio = min(1.0, (it - WARMUP) / (a.steps - WARMUP))
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


@torch.no_grad()
def estimate(split):
    model.eval()
    out = sum(model(*batch(split)).item() for _ in range(a.eval_iters)) / a.eval_iters
    model.train()
    return out


print(f'{sum(p.numel() for p in model.parameters()):,} parameters, vocab {len(chars)}', file=sys.stderr)
t0 = time.time()
for it in range(a.steps + 1):
    if it % a.eval_every == 0 or it == a.steps:
        print(json.dumps({'step': it, 'val_loss': estimate('val'), 'train_loss': estimate('train'),
                          'seconds': round(time.time() - t0, 1)}), flush=True)
    if it == a.steps:
        break
    for g in opt.param_groups:
        g['lr'] = lr_at(it)
    loss = model(*batch('train'))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
