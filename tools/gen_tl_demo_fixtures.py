#!/usr/bin/env python3
"""What TransformerLens prints for the demo cells ported under Tests/Scripts/tl_demos (run by hand, never in CI).

    tools/.venv/bin/python tools/gen_tl_demo_fixtures.py

Runs the cells of TransformerLens's demos/Exploratory_Analysis_Demo.ipynb (the IOI walk-through) on
models/smollm2 (the Q4_1 GGUF, dequantised to F32 as tools/gen_model_fixtures.py loads it), wrapped by
TransformerBridge with TL's default processing (fold_ln, center_writing_weights, center_unembed). Each
section prints `== <script name>` and then the lines the Loupe script must print, with the fixed precision
the script uses, so these lines are pasted as the script's `# expect:` lines. Where a Loupe script prints a
summary of a plotted tensor instead of the plot, the summary is computed the same way here.
"""
import os
from functools import partial

import einops
import torch
from fancy_einsum import einsum

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
torch.set_grad_enabled(False)


def load_smollm2():
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformer_lens.model_bridge import TransformerBridge
    src = os.path.join(ROOT, "models", "smollm2")
    gg = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tok = AutoTokenizer.from_pretrained(src, gguf_file=gg)
    hf = AutoModelForCausalLM.from_pretrained(src, gguf_file=gg, dtype=torch.float32,
                                              attn_implementation="eager").eval()
    tmp = "/tmp/smollm2_cfg"
    hf.config.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    model = TransformerBridge.boot_transformers(tmp, device="cpu", hf_model=hf)
    model.enable_compatibility_mode(disable_warnings=True)
    model.set_use_attn_result(True)
    return model


def section(name):
    print(f"== {name}")


def main():
    import transformer_lens.utilities as utils
    model = load_smollm2()
    device = "cpu"

    section("ioi_test_prompt")
    utils.test_prompt("After John and Mary went to the store, John gave a bottle of milk to", " Mary", model,
                      prepend_bos=True)

    section("ioi_prompts")
    prompt_format = [
        "When John and Mary went to the shops,{} gave the bag to",
        "When Tom and James went to the park,{} gave the ball to",
        "When Dan and Sid went to the shops,{} gave an apple to",
        "After Martin and Amy went to the park,{} gave a drink to",
    ]
    names = [(" Mary", " John"), (" Tom", " James"), (" Dan", " Sid"), (" Martin", " Amy")]
    prompts, answers, answer_tokens = [], [], []
    for i in range(len(prompt_format)):
        for j in range(2):
            answers.append((names[i][j], names[i][1 - j]))
            answer_tokens.append((model.to_single_token(answers[-1][0]), model.to_single_token(answers[-1][1])))
            prompts.append(prompt_format[i].format(answers[-1][1]))
    answer_tokens = torch.tensor(answer_tokens).to(device)
    print(prompts)
    print(answers)
    print(answer_tokens.tolist())

    section("ioi_str_tokens")
    for prompt in prompts:
        str_tokens = model.to_str_tokens(prompt)
        print("Prompt length:", len(str_tokens))
        print("Prompt as tokens:", str_tokens)

    tokens = model.to_tokens(prompts, prepend_bos=True)
    original_logits, cache = model.run_with_cache(tokens)

    def logits_to_ave_logit_diff(logits, answer_tokens, per_prompt=False):
        final_logits = logits[:, -1, :]
        answer_logits = final_logits.gather(dim=-1, index=answer_tokens)
        answer_logit_diff = answer_logits[:, 0] - answer_logits[:, 1]
        return answer_logit_diff if per_prompt else answer_logit_diff.mean()

    section("ioi_run_with_cache")
    print(tuple(tokens.shape), tuple(original_logits.shape), tuple(cache["pattern", 0].shape))
    print(f"{original_logits[0, -1, 0].item():.3f}")

    section("ioi_logit_diff")
    per_prompt = logits_to_ave_logit_diff(original_logits, answer_tokens, per_prompt=True)
    print("Per prompt logit difference:", [f"{x:.2f}" for x in per_prompt.tolist()])
    original_average_logit_diff = logits_to_ave_logit_diff(original_logits, answer_tokens)
    print("Average logit difference:", round(original_average_logit_diff.item(), 3))

    section("ioi_residual_directions")
    W_U = model.unembed.W_U
    answer_residual_directions = einops.rearrange(
        W_U[:, answer_tokens], "d_model batch correct_incorrect -> batch correct_incorrect d_model")
    print("Answer residual directions shape:", tuple(answer_residual_directions.shape))
    logit_diff_directions = answer_residual_directions[:, 0] - answer_residual_directions[:, 1]
    print("Logit difference directions shape:", tuple(logit_diff_directions.shape))

    section("ioi_apply_ln_to_stack")
    final_residual_stream = cache["resid_post", -1]
    print("Final residual stream shape:", tuple(final_residual_stream.shape))
    final_token_residual_stream = final_residual_stream[:, -1, :]
    scaled = cache.apply_ln_to_stack(final_token_residual_stream, layer=-1, pos_slice=-1)
    average_logit_diff = einsum("batch d_model, batch d_model -> ", scaled, logit_diff_directions) / len(prompts)
    print("Calculated average logit diff:", round(average_logit_diff.item(), 3))
    print("Original logit difference:", round(original_average_logit_diff.item(), 3))

    def residual_stack_to_logit_diff(residual_stack, cache):
        scaled_residual_stack = cache.apply_ln_to_stack(residual_stack, layer=-1, pos_slice=-1)
        return einsum("... batch d_model, batch d_model -> ...", scaled_residual_stack,
                      logit_diff_directions) / len(prompts)

    def summary(t):
        flat = t.flatten()
        print(tuple(t.shape), f"{flat[0].item():.3f}", f"{flat[-1].item():.3f}", f"{flat.sum().item():.3f}",
              f"{flat.abs().max().item():.3f}")

    section("ioi_accumulated_resid")
    acc, labels = cache.accumulated_resid(layer=-1, incl_mid=True, pos_slice=-1, return_labels=True)
    lens = residual_stack_to_logit_diff(acc, cache)
    print(labels[:3], labels[-1])
    summary(lens)

    section("ioi_decompose_resid")
    per_layer, labels = cache.decompose_resid(layer=-1, pos_slice=-1, return_labels=True)
    per_layer_logit_diffs = residual_stack_to_logit_diff(per_layer, cache)
    print(labels[:3], labels[-1])
    summary(per_layer_logit_diffs)

    section("ioi_stack_head_results")
    per_head, labels = cache.stack_head_results(layer=-1, pos_slice=-1, return_labels=True)
    per_head_logit_diffs = residual_stack_to_logit_diff(per_head, cache)
    per_head_logit_diffs = einops.rearrange(per_head_logit_diffs, "(layer head_index) -> layer head_index",
                                            layer=model.cfg.n_layers, head_index=model.cfg.n_heads)
    print(labels[:3], labels[-1])
    summary(per_head_logit_diffs)
    top_k = 3
    print(torch.topk(per_head_logit_diffs.flatten(), k=top_k).indices.tolist())
    print(torch.topk(-per_head_logit_diffs.flatten(), k=top_k).indices.tolist())

    section("ioi_corrupted")
    corrupted_prompts = []
    for i in range(0, len(prompts), 2):
        corrupted_prompts.append(prompts[i + 1])
        corrupted_prompts.append(prompts[i])
    corrupted_tokens = model.to_tokens(corrupted_prompts, prepend_bos=True)
    corrupted_logits, corrupted_cache = model.run_with_cache(corrupted_tokens, return_type="logits")
    corrupted_average_logit_diff = logits_to_ave_logit_diff(corrupted_logits, answer_tokens)
    print("Corrupted Average Logit Diff", round(corrupted_average_logit_diff.item(), 2))
    print("Clean Average Logit Diff", round(original_average_logit_diff.item(), 2))

    section("ioi_to_string")
    print(model.to_string(corrupted_tokens[:2]))

    def patch_residual_component(corrupted_residual_component, hook, pos, clean_cache):
        clean_value = clean_cache[hook.name][:, pos, :].clone()
        corrupted_residual_component = corrupted_residual_component.clone()
        corrupted_residual_component[:, pos:pos + 1, :] = clean_value.unsqueeze(1)
        return corrupted_residual_component

    def normalize_patched_logit_diff(patched_logit_diff):
        return (patched_logit_diff - corrupted_average_logit_diff) / (
            original_average_logit_diff - corrupted_average_logit_diff)

    # The ported loops visit a few layers and positions so the test stays quick.
    LAYERS, POSITIONS = [0, 15, 29], [2, 4, 10, 14]

    section("ioi_patch_resid")
    diff = torch.zeros(len(LAYERS), len(POSITIONS))
    for li, layer in enumerate(LAYERS):
        for pi, position in enumerate(POSITIONS):
            hook_fn = partial(patch_residual_component, pos=position, clean_cache=cache)
            patched_logits = model.run_with_hooks(
                corrupted_tokens, fwd_hooks=[(utils.get_act_name("resid_pre", layer), hook_fn)],
                return_type="logits")
            diff[li, pi] = normalize_patched_logit_diff(logits_to_ave_logit_diff(patched_logits, answer_tokens))
    for row in diff.tolist():
        print([f"{x:.3f}" for x in row])

    section("ioi_patch_attn_mlp")
    attn_diff = torch.zeros(len(LAYERS), len(POSITIONS))
    mlp_diff = torch.zeros(len(LAYERS), len(POSITIONS))
    for li, layer in enumerate(LAYERS):
        for pi, position in enumerate(POSITIONS):
            hook_fn = partial(patch_residual_component, pos=position, clean_cache=cache)
            la = model.run_with_hooks(corrupted_tokens, fwd_hooks=[(utils.get_act_name("attn_out", layer), hook_fn)],
                                      return_type="logits")
            lm = model.run_with_hooks(corrupted_tokens, fwd_hooks=[(utils.get_act_name("mlp_out", layer), hook_fn)],
                                      return_type="logits")
            attn_diff[li, pi] = normalize_patched_logit_diff(logits_to_ave_logit_diff(la, answer_tokens))
            mlp_diff[li, pi] = normalize_patched_logit_diff(logits_to_ave_logit_diff(lm, answer_tokens))
    for row in attn_diff.tolist() + mlp_diff.tolist():
        print([f"{x:.3f}" for x in row])

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

    # SmolLM2 has 9 query heads sharing 3 key/value heads, so hook_v has 3 heads.
    HEAD_LAYERS = [9, 29]
    for name, act, fn, HEADS in [("ioi_patch_head_z", "z", patch_head_vector, [0, 4, 8]),
                                 ("ioi_patch_head_v", "v", patch_head_vector, [0, 1, 2]),
                                 ("ioi_patch_head_pattern", "attn", patch_head_pattern, [0, 4, 8])]:
        section(name)
        d = torch.zeros(len(HEAD_LAYERS), len(HEADS))
        for li, layer in enumerate(HEAD_LAYERS):
            for hi, head_index in enumerate(HEADS):
                hook_fn = partial(fn, head_index=head_index, clean_cache=cache)
                pl = model.run_with_hooks(corrupted_tokens, fwd_hooks=[(utils.get_act_name(act, layer, "attn"), hook_fn)],
                                          return_type="logits")
                d[li, hi] = normalize_patched_logit_diff(logits_to_ave_logit_diff(pl, answer_tokens))
        for row in d.tolist():
            print([f"{x:.3f}" for x in row])


if __name__ == "__main__":
    main()
