#!/usr/bin/env python3
"""What TransformerLens prints for the demos' activation-patching cells, run whole (run by hand, never in CI).

    tools/.venv/bin/python tools/gen_tl_patching_fixtures.py

The patching loops of demos/Exploratory_Analysis_Demo.ipynb (EAD 21-32, 38) and demos/Main_Demo.ipynb
(MD 16-18) visit every layer × position or layer × head: hundreds of forward passes. The ported scripts
run them unchanged on SmolLM2's first 4 layers (`load("smollm2", first_n_layers=4)`; here transformers'
`num_hidden_layers=4`, the same truncation), so each loop is whole and the test stays quick. Each section
prints `== <script name>` and the lines the Loupe script prints: every row of each plotted tensor.
"""
from functools import partial

import torch

import gen_tl_demo_fixtures as demo

N_LAYERS = 4


def rows(t, digits=3):
    for row in t.tolist():
        print([f"{round(x, digits) + 0.0:.{digits}f}" for x in row])  # + 0.0: no sign on a rounded zero


def ioi_sections(model):
    import transformer_lens.utilities as utils
    device = "cpu"
    prompt_format, names = demo.IOI_PROMPT_FORMAT, demo.IOI_NAMES
    prompts, answers, answer_tokens = [], [], []
    for i in range(len(prompt_format)):
        for j in range(2):
            answers.append((names[i][j], names[i][1 - j]))
            answer_tokens.append((model.to_single_token(answers[-1][0]), model.to_single_token(answers[-1][1])))
            prompts.append(prompt_format[i].format(answers[-1][1]))
    answer_tokens = torch.tensor(answer_tokens).to(device)
    tokens = model.to_tokens(prompts, prepend_bos=True)
    original_logits, cache = model.run_with_cache(tokens)

    def logits_to_ave_logit_diff(logits, answer_tokens, per_prompt=False):
        final_logits = logits[:, -1, :]
        answer_logits = final_logits.gather(dim=-1, index=answer_tokens)
        answer_logit_diff = answer_logits[:, 0] - answer_logits[:, 1]
        return answer_logit_diff if per_prompt else answer_logit_diff.mean()

    original_average_logit_diff = logits_to_ave_logit_diff(original_logits, answer_tokens)
    corrupted_prompts = []
    for i in range(0, len(prompts), 2):
        corrupted_prompts.append(prompts[i + 1])
        corrupted_prompts.append(prompts[i])
    corrupted_tokens = model.to_tokens(corrupted_prompts, prepend_bos=True)
    corrupted_logits, corrupted_cache = model.run_with_cache(corrupted_tokens, return_type="logits")
    corrupted_average_logit_diff = logits_to_ave_logit_diff(corrupted_logits, answer_tokens)

    def patch_residual_component(corrupted_residual_component, hook, pos, clean_cache):
        clean_value = clean_cache[hook.name][:, pos, :].clone()
        corrupted_residual_component = corrupted_residual_component.clone()
        corrupted_residual_component[:, pos:pos + 1, :] = clean_value.unsqueeze(1)
        return corrupted_residual_component

    def normalize_patched_logit_diff(patched_logit_diff):
        return (patched_logit_diff - corrupted_average_logit_diff) / (
            original_average_logit_diff - corrupted_average_logit_diff)

    def patched(hook_name, fn, **kw):
        logits = model.run_with_hooks(corrupted_tokens, fwd_hooks=[(hook_name, partial(fn, clean_cache=cache, **kw))],
                                      return_type="logits")
        return normalize_patched_logit_diff(logits_to_ave_logit_diff(logits, answer_tokens))

    n_pos = tokens.shape[1]
    section = demo.section
    section("ioi_patch_resid")
    print(f"{original_average_logit_diff.item():.4f} {corrupted_average_logit_diff.item():.4f}")
    resid = torch.zeros(model.cfg.n_layers, n_pos)
    for layer in range(model.cfg.n_layers):
        for position in range(n_pos):
            resid[layer, position] = patched(utils.get_act_name("resid_pre", layer), patch_residual_component, pos=position)
    rows(resid)

    section("ioi_patch_attn_mlp")
    attn = torch.zeros(model.cfg.n_layers, n_pos)
    mlp = torch.zeros(model.cfg.n_layers, n_pos)
    for layer in range(model.cfg.n_layers):
        for position in range(n_pos):
            attn[layer, position] = patched(utils.get_act_name("attn_out", layer), patch_residual_component, pos=position)
            mlp[layer, position] = patched(utils.get_act_name("mlp_out", layer), patch_residual_component, pos=position)
    rows(attn)
    rows(mlp)

    def patch_head_vector(corrupted_head_vector, hook, head_index, clean_cache):
        clean_value = clean_cache[hook.name][:, :, head_index, :].clone()
        corrupted_head_vector = corrupted_head_vector.clone()
        corrupted_head_vector[:, :, head_index:head_index + 1, :] = clean_value.unsqueeze(2)
        return corrupted_head_vector

    def patch_head_pattern(corrupted_head_pattern, hook, head_index, clean_cache):
        clean_value = clean_cache[hook.name][:, head_index, :, :].clone()
        corrupted_head_pattern = corrupted_head_pattern.clone()
        corrupted_head_pattern[:, head_index:head_index + 1, :, :] = clean_value.unsqueeze(1)
        return corrupted_head_pattern

    def head_sweep(act, fn, heads):
        d = torch.zeros(model.cfg.n_layers, model.cfg.n_heads)
        for layer in range(model.cfg.n_layers):
            for head_index in range(heads):
                d[layer, head_index] = patched(utils.get_act_name(act, layer, "attn"), fn, head_index=head_index)
        return d

    z = head_sweep("z", patch_head_vector, model.cfg.n_heads)
    section("ioi_patch_head_z")
    rows(z)
    # EAD 38: the ten heads with the largest |output patching effect|, split at layers 7 and 9 as the demo does.
    top = torch.topk(z.abs().flatten(), k=10).indices
    early = top[top < model.cfg.n_heads * 7]
    print(top.tolist(), [f"L{h // model.cfg.n_heads}H{h % model.cfg.n_heads}" for h in early.tolist()])

    section("ioi_patch_head_v")
    # SmolLM2's hook_v has its 3 key/value heads (in TransformerLens too), so the loop visits heads 0-2.
    rows(head_sweep("v", patch_head_vector, 3))

    section("ioi_patch_head_pattern")
    rows(head_sweep("attn", patch_head_pattern, model.cfg.n_heads))


def main_sections(model):
    import transformer_lens.utilities as utils
    clean_prompt = "After John and Mary went to the store, Mary gave a bottle of milk to"
    corrupted_prompt = "After John and Mary went to the store, John gave a bottle of milk to"
    clean_tokens = model.to_tokens(clean_prompt)
    corrupted_tokens = model.to_tokens(corrupted_prompt)

    def logits_to_logit_diff(logits, correct_answer=" John", incorrect_answer=" Mary"):
        return logits[0, -1, model.to_single_token(correct_answer)] - logits[0, -1, model.to_single_token(incorrect_answer)]

    clean_logits, clean_cache = model.run_with_cache(clean_tokens)
    clean_logit_diff = logits_to_logit_diff(clean_logits)
    corrupted_logit_diff = logits_to_logit_diff(model(corrupted_tokens))

    def residual_stream_patching_hook(resid_pre, hook, position):
        resid_pre[:, position, :] = clean_cache[hook.name][:, position, :]
        return resid_pre

    demo.section("main_patch_resid")
    print(f"Clean logit difference: {clean_logit_diff.item():.3f}")
    print(f"Corrupted logit difference: {corrupted_logit_diff.item():.3f}")
    num_positions = len(clean_tokens[0])
    result = torch.zeros((model.cfg.n_layers, num_positions))
    for layer in range(model.cfg.n_layers):
        for position in range(num_positions):
            patched_logits = model.run_with_hooks(
                corrupted_tokens,
                fwd_hooks=[(utils.get_act_name("in", layer), partial(residual_stream_patching_hook, position=position))])
            result[layer, position] = (logits_to_logit_diff(patched_logits) - corrupted_logit_diff) / (
                clean_logit_diff - corrupted_logit_diff)
    rows(result)


if __name__ == "__main__":
    model = demo.load_smollm2(num_hidden_layers=N_LAYERS)
    ioi_sections(model)
    main_sections(model)
