#!/usr/bin/env python3
"""What TransformerLens prints for the demo cells ported under Tests/Scripts/tl_demos (run by hand, never in CI).

    tools/.venv/bin/python tools/gen_tl_demo_fixtures.py               # Exploratory_Analysis_Demo cells
    tools/.venv/bin/python tools/gen_tl_demo_fixtures.py --main-demo   # Main_Demo cells

Runs the cells of TransformerLens's demos/Exploratory_Analysis_Demo.ipynb (the IOI walk-through) or
demos/Main_Demo.ipynb on
models/smollm2 (the Q4_1 GGUF, dequantised to F32 as tools/gen_model_fixtures.py loads it), wrapped by
TransformerBridge with TL's default processing (fold_ln, center_writing_weights, center_unembed). Each
section prints `== <script name>` and then the lines the Loupe script must print, with the fixed precision
the script uses, so these lines are pasted as the script's `# expect:` lines. Where a Loupe script prints a
summary of a plotted tensor instead of the plot, the summary is computed the same way here.
"""
import os
import sys
from functools import partial

import einops
import torch
from fancy_einsum import einsum

# The IOI demo's prompts (EAD code cell 7).
IOI_PROMPT_FORMAT = [
    "When John and Mary went to the shops,{} gave the bag to",
    "When Tom and James went to the park,{} gave the ball to",
    "When Dan and Sid went to the shops,{} gave an apple to",
    "After Martin and Amy went to the park,{} gave a drink to",
]
IOI_NAMES = [(" Mary", " John"), (" Tom", " James"), (" Dan", " Sid"), (" Martin", " Amy")]

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
torch.set_grad_enabled(False)


def load_smollm2(**config):
    """SmolLM2 as TransformerBridge; `config` overrides config.json (num_hidden_layers=4: the first 4 layers)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformer_lens.model_bridge import TransformerBridge
    src = os.path.join(ROOT, "models", "smollm2")
    gg = "SmolLM2-135M-Instruct.Q4_1.gguf"
    tok = AutoTokenizer.from_pretrained(src, gguf_file=gg)
    hf = AutoModelForCausalLM.from_pretrained(src, gguf_file=gg, dtype=torch.float32,
                                              attn_implementation="eager", **config).eval()
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
    prompt_format, names = IOI_PROMPT_FORMAT, IOI_NAMES
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
    print("Per prompt logit difference:", per_prompt.detach().cpu().round(decimals=3))
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

    section("ioi_ablate_name_mover")
    top_name_mover = per_head_logit_diffs.flatten().argmax().item()
    top_name_mover_layer = top_name_mover // model.cfg.n_heads
    top_name_mover_head = top_name_mover % model.cfg.n_heads
    print(f"Top Name Mover to ablate: L{top_name_mover_layer}H{top_name_mover_head}")

    def ablate_top_head_hook(z, hook):
        z = z.clone()
        z[:, -1, top_name_mover_head, :] = 0
        return z

    model.blocks[top_name_mover_layer].attn.hook_z.add_hook(ablate_top_head_hook)
    ablated_logits, ablated_cache = model.run_with_cache(tokens)
    model.reset_hooks()
    print(f"Original logit diff: {original_average_logit_diff:.2f}")
    print(f"Post ablation logit diff: {logits_to_ave_logit_diff(ablated_logits, answer_tokens).item():.2f}")
    print(f"Direct Logit Attribution of top name mover head: {per_head_logit_diffs.flatten()[top_name_mover].item():.2f}")
    print(f"Naive prediction of post ablation logit diff: "
          f"{original_average_logit_diff - per_head_logit_diffs.flatten()[top_name_mover].item():.2f}")
    per_head_ablated_residual, labels = ablated_cache.stack_head_results(layer=-1, pos_slice=-1, return_labels=True)
    per_head_ablated_logit_diffs = residual_stack_to_logit_diff(per_head_ablated_residual, ablated_cache)
    per_head_ablated_logit_diffs = per_head_ablated_logit_diffs.reshape(model.cfg.n_layers, model.cfg.n_heads)
    summary(per_head_ablated_logit_diffs)
    print("Average LN scaling ratio:", round((cache["ln_final.hook_scale"][:, -1]
                                              / ablated_cache["ln_final.hook_scale"][:, -1]).mean().item(), 3))
    print("Ablation LN scale", ablated_cache["ln_final.hook_scale"][:, -1].detach().cpu().round(decimals=2))
    print("Original LN scale", cache["ln_final.hook_scale"][:, -1].detach().cpu().round(decimals=2))

    section("ioi_head_scores")
    # The cell's own code (Loupe's torch.manual_seed + torch.randint draw torch's numbers).
    seq_len = 100
    prev_token_scores = torch.zeros((model.cfg.n_layers, model.cfg.n_heads))
    duplicate_token_scores = torch.zeros((model.cfg.n_layers, model.cfg.n_heads))
    induction_scores = torch.zeros((model.cfg.n_layers, model.cfg.n_heads))

    def prev_token_hook(pattern, hook):
        diagonal = pattern.diagonal(offset=1, dim1=-1, dim2=-2)
        prev_token_scores[hook.layer()] = einops.reduce(diagonal, "batch head_index diagonal -> head_index", "mean")

    def duplicate_token_hook(pattern, hook):
        diagonal = pattern.diagonal(offset=seq_len, dim1=-1, dim2=-2)
        duplicate_token_scores[hook.layer()] = einops.reduce(diagonal, "batch head_index diagonal -> head_index",
                                                             "mean")

    def induction_hook(pattern, hook):
        diagonal = pattern.diagonal(offset=seq_len - 1, dim1=-1, dim2=-2)
        induction_scores[hook.layer()] = einops.reduce(diagonal, "batch head_index diagonal -> head_index", "mean")

    batch_size = 2
    torch.manual_seed(0)
    original_tokens = torch.randint(100, 20000, size=(batch_size, seq_len), device="cpu")
    repeated_tokens = einops.repeat(original_tokens, "batch seq_len -> batch (2 seq_len)")
    pattern_filter = lambda act_name: act_name.endswith("hook_pattern")
    loss = model.run_with_hooks(repeated_tokens, return_type="loss",
                                fwd_hooks=[(pattern_filter, prev_token_hook), (pattern_filter, duplicate_token_hook),
                                           (pattern_filter, induction_hook)])
    print(torch.round(utils.get_corner(prev_token_scores).detach().cpu(), decimals=3))
    print(torch.round(utils.get_corner(duplicate_token_scores).detach().cpu(), decimals=3))
    print(torch.round(utils.get_corner(induction_scores).detach().cpu(), decimals=3))
    print(original_tokens[0, :5].tolist(), f"{loss.item():.3f}")

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
    print(model.to_string(corrupted_tokens))

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
        print([f"{round(x, 3) + 0.0:.3f}" for x in row])  # + 0.0: no sign on a rounded zero

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
        print([f"{round(x, 3) + 0.0:.3f}" for x in row])  # + 0.0: no sign on a rounded zero

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
            print([f"{round(x, 3) + 0.0:.3f}" for x in row])  # + 0.0: no sign on a rounded zero

    section("ioi_direct_path")
    # EAD 33-37: direct path patching, with A (output head) cut to heads 0, 1 and B (query head, or key/value
    # head: SmolLM2 has 3) to heads 0-2, from layer 20 to layer 23 (the top name mover's layer) for each
    # activation type, for test time; the plots become printed rows, in thousandths of the clean-corrupted gap.
    print("W shapes", tuple(model.blocks[8].attn.W_Q.shape), tuple(model.blocks[8].attn.W_K.shape),
          tuple(model.blocks[8].attn.W_V.shape))

    def patch_direct_path_A_output_to_B_attn_act(corrupted_attn_act, hook, attn_act_type, A_layer, A_head_index,
                                                 B_layer, B_head_index, clean_cache, corrupted_cache):
        A_output_act_name = utils.get_act_name("result", A_layer, "attn")
        clean_A_output = clean_cache[A_output_act_name][:, :, A_head_index, :]
        corrupted_A_output = corrupted_cache[A_output_act_name][:, :, A_head_index, :]
        corrupted_B_act = corrupted_attn_act[:, :, B_head_index, :]
        W_B = _get_attention_weights(model.blocks[B_layer].attn, attn_act_type)[B_head_index]
        corrupted_ln1_scale = corrupted_cache[utils.get_act_name("scale", B_layer, "ln1")]
        patched_B_act = corrupted_B_act + (clean_A_output - corrupted_A_output) @ W_B / corrupted_ln1_scale
        patched_attn_act = corrupted_attn_act.clone()
        patched_attn_act[:, :, B_head_index, :] = patched_B_act
        return patched_attn_act

    def direct_path_output_to_attn_act_diffs(output_layer, attn_act_layer, attn_act_type):
        A_to_B_diffs = torch.zeros(model.cfg.n_heads, model.cfg.n_heads, device=device, dtype=torch.float32)
        for A in [0, 1]:
            for B in [0, 1, 2]:
                patch_hook = (utils.get_act_name(attn_act_type, attn_act_layer, "attn"),
                              partial(patch_direct_path_A_output_to_B_attn_act, attn_act_type=attn_act_type,
                                      A_layer=output_layer, A_head_index=A, B_layer=attn_act_layer, B_head_index=B,
                                      clean_cache=cache, corrupted_cache=corrupted_cache))
                patched_logits = model.run_with_hooks(corrupted_tokens, fwd_hooks=[patch_hook], return_type="logits")
                patched_logit_diff = logits_to_ave_logit_diff(patched_logits, answer_tokens)
                A_to_B_diffs[A, B] = normalize_patched_logit_diff(patched_logit_diff)
        return A_to_B_diffs

    def _get_attention_weights(attn, attn_act_type):
        return {"q": attn.W_Q, "k": attn.W_K, "v": attn.W_V}[attn_act_type]

    for output_layer, attn_act_layer, attn_act_type in [(20, 23, "q"), (20, 23, "v"), (20, 23, "k")]:
        diffs = direct_path_output_to_attn_act_diffs(output_layer, attn_act_layer, attn_act_type)
        for A in [0, 1]:
            print([f"{1000 * diffs[A, B].item():.2f}".replace("-0.00", "0.00") for B in [0, 1, 2]])


def main_demo(model):
    """Cells of demos/Main_Demo.ipynb; tensors and shapes are printed as lists and tuples, as the scripts do."""
    import einops
    import transformer_lens.utilities as utils

    section("main_loss")
    model_description_text = """## Loading and Running Models

TransformerLens supports 9,000+ models across 50+ architecture families. You can load any of them in with `TransformerBridge.boot_transformers(MODEL_NAME)`. For this demo notebook we'll look at GPT-2 Small, an 80M parameter model, see the Available Models section for info on the rest.

To try the model out, let's find the loss on this text!"""
    loss = model(model_description_text, return_type="loss")
    print("Model loss:", f"{loss.item():.4f}")

    section("main_run_with_cache")
    gpt2_text = ("Natural language processing tasks, such as question answering, machine translation, reading "
                 "comprehension, and summarization, are typically approached with supervised learning on taskspecific "
                 "datasets.")
    gpt2_tokens = model.to_tokens(gpt2_text)
    gpt2_logits, gpt2_cache = model.run_with_cache(gpt2_tokens, remove_batch_dim=True)
    attention_pattern = gpt2_cache["pattern", 0, "attn"]
    print(tuple(attention_pattern.shape))
    gpt2_str_tokens = model.to_str_tokens(gpt2_text)
    print(len(gpt2_str_tokens), f"{attention_pattern[3, -1, 0].item():.4f}")

    section("main_names_filter")
    attn_hook_name = "blocks.0.attn.hook_pattern"
    attn_layer = 0
    _, gpt2_attn_cache = model.run_with_cache(gpt2_tokens, remove_batch_dim=True, stop_at_layer=attn_layer + 1,
                                              names_filter=[attn_hook_name])
    gpt2_attn = gpt2_attn_cache[attn_hook_name]
    assert torch.allclose(gpt2_attn, attention_pattern)
    print(tuple(gpt2_attn.shape), list(gpt2_attn_cache.keys()))

    section("main_head_ablation")
    layer_to_ablate = 0
    head_index_to_ablate = 2

    def head_ablation_hook(value, hook):
        print(f"Shape of the value tensor: {tuple(value.shape)}")
        value[:, :, head_index_to_ablate, :] = 0.0
        return value

    original_loss = model(gpt2_tokens, return_type="loss")
    ablated_loss = model.run_with_hooks(gpt2_tokens, return_type="loss",
                                        fwd_hooks=[(utils.get_act_name("v", layer_to_ablate), head_ablation_hook)])
    print(f"Original Loss: {original_loss.item():.3f}")
    print(f"Ablated Loss: {ablated_loss.item():.3f}")

    section("main_clean_corrupted")
    clean_prompt = "After John and Mary went to the store, Mary gave a bottle of milk to"
    corrupted_prompt = "After John and Mary went to the store, John gave a bottle of milk to"
    clean_tokens = model.to_tokens(clean_prompt)
    corrupted_tokens = model.to_tokens(corrupted_prompt)

    def logits_to_logit_diff(logits, correct_answer=" John", incorrect_answer=" Mary"):
        correct_index = model.to_single_token(correct_answer)
        incorrect_index = model.to_single_token(incorrect_answer)
        return logits[0, -1, correct_index] - logits[0, -1, incorrect_index]

    clean_logits, clean_cache = model.run_with_cache(clean_tokens)
    clean_logit_diff = logits_to_logit_diff(clean_logits)
    print(f"Clean logit difference: {clean_logit_diff.item():.3f}")
    corrupted_logits = model(corrupted_tokens)
    corrupted_logit_diff = logits_to_logit_diff(corrupted_logits)
    print(f"Corrupted logit difference: {corrupted_logit_diff.item():.3f}")

    section("main_patch_resid")

    def residual_stream_patching_hook(resid_pre, hook, position):
        clean_resid_pre = clean_cache[hook.name]
        resid_pre[:, position, :] = clean_resid_pre[:, position, :]
        return resid_pre

    LAYERS, POSITIONS = [0, 10, 20], [3, 4, 10, 16]
    ioi_patching_result = torch.zeros((len(LAYERS), len(POSITIONS)))
    for li, layer in enumerate(LAYERS):
        for pi, position in enumerate(POSITIONS):
            temp_hook_fn = partial(residual_stream_patching_hook, position=position)
            patched_logits = model.run_with_hooks(corrupted_tokens,
                                                  fwd_hooks=[(utils.get_act_name("resid_pre", layer), temp_hook_fn)])
            patched_logit_diff = logits_to_logit_diff(patched_logits).detach()
            ioi_patching_result[li, pi] = (patched_logit_diff - corrupted_logit_diff) / (
                clean_logit_diff - corrupted_logit_diff)
    for row in ioi_patching_result.tolist():
        print([f"{round(x, 3) + 0.0:.3f}" for x in row])  # + 0.0: no sign on a rounded zero

    section("main_repeated_loss")
    # The cell draws from torch's default generator unseeded. Loupe's generator starts at torch.Generator()'s
    # seed (torch's own default one starts at a random seed), so TL's is seeded with it here.
    torch.manual_seed(torch.Generator().initial_seed())
    batch_size = 10
    seq_len = 50
    size = (batch_size, seq_len)
    input_tensor = torch.randint(1000, 10000, size)
    random_tokens = input_tensor.to(model.cfg.device)
    repeated_tokens = einops.repeat(random_tokens, "batch seq_len -> batch (2 seq_len)")
    repeated_logits = model(repeated_tokens)
    correct_log_probs = model.loss_fn(repeated_logits, repeated_tokens, per_token=True)
    loss_by_position = einops.reduce(correct_log_probs, "batch position -> position", "mean")
    y = loss_by_position
    print(input_tensor[0, :5].tolist(), input_tensor[-1, -3:].tolist())
    print(tuple(y.shape), [f"{x:.3f}" for x in y[:4].tolist()], [f"{x:.3f}" for x in y[48:52].tolist()])
    print(f"{y[:49].mean().item():.3f}", f"{y[49:].mean().item():.3f}")

    # main_induction_score (MD 20) runs on MD 19's drawn tokens (seq_len 50).

    section("main_induction_score")
    induction_score_store = torch.zeros((model.cfg.n_layers, model.cfg.n_heads))

    def induction_score_hook(pattern, hook):
        induction_stripe = pattern.diagonal(dim1=-2, dim2=-1, offset=1 - seq_len)
        induction_score = einops.reduce(induction_stripe, "batch head_index position -> head_index", "mean")
        induction_score_store[hook.layer(), :] = induction_score

    pattern_hook_names_filter = lambda name: name.endswith("pattern")
    model.run_with_hooks(repeated_tokens, return_type=None,
                         fwd_hooks=[(pattern_hook_names_filter, induction_score_hook)])
    flat = induction_score_store.flatten()
    print(f"{flat.max().item():.4f}", flat.argmax().item(), f"{flat.sum().item():.4f}")

    section("main_pattern_in_hook")
    # MD 21 with IN_GITHUB true: torch.manual_seed(50); the hook displays layer 5 head 5's pattern.
    torch.manual_seed(50)
    input_tensor = torch.randint(1000, 10000, (1, 20))
    repeated_random_sequence = einops.repeat(input_tensor, "batch seq_len -> batch (2 seq_len)")
    _, seq_cache = model.run_with_cache(repeated_random_sequence)
    shown = seq_cache["pattern", 5][0, 5]
    print(input_tensor[0, :5].tolist(), len(model.to_str_tokens(repeated_random_sequence)))
    print(f"{shown.diagonal(offset=1 - 20).mean().item():.4f}", f"{shown[-1, :5].sum().item():.4f}")

    section("main_unembed_bias_names")
    john_bias = model.unembed.b_U[model.to_single_token(" John")]
    mary_bias = model.unembed.b_U[model.to_single_token(" Mary")]
    print(f"John bias: {john_bias.item():.4f}")
    print(f"Mary bias: {mary_bias.item():.4f}")
    print(f"Prob ratio bias: {torch.exp(john_bias - mary_bias).item():.4f}x")

    section("main_to_str_tokens")
    example_text = ("The first thing you need to figure out is *how* things are tokenized. `model.to_str_tokens` "
                    "splits a string into the tokens *as a list of substrings*, and so lets you explore what the text "
                    "looks like. To demonstrate this, let's use it on this paragraph.")
    print(model.to_str_tokens(example_text))

    section("main_to_tokens")
    example_text_tokens = model.to_tokens(example_text)
    print(example_text_tokens.tolist())

    section("main_to_tokens_batch")
    example_multi_text = ["The cat sat on the mat.", "The cat sat on the mat really hard."]
    print(model.to_tokens(example_multi_text).tolist())

    section("main_cat_probs")
    cat_text = "The cat sat on the mat."
    cat_logits = model(cat_text)
    cat_probs = cat_logits.softmax(dim=-1)
    print(f"Probability tensor shape [batch, position, d_vocab] == {tuple(cat_probs.shape)}")
    capital_the_token_index = model.to_single_token(" The")
    print(f"| The| probability: {cat_probs[0, -1, capital_the_token_index].item():.2%}")

    section("main_to_string")
    print(f"Token 256 - the most common pair of ASCII characters: |{model.to_string(256)}|")
    print(f"De-Tokenizing the example tokens: {model.to_string(example_text_tokens.squeeze())}")

    section("main_get_token_position")
    print("With BOS:", model.get_token_position(" cat", "The cat sat on the mat"))
    print("Without BOS:", model.get_token_position(" cat", "The cat sat on the mat", prepend_bos=False))

    section("main_numbers")
    print(model.to_str_tokens("2342+2017=21445"))
    print(model.to_str_tokens("1000+1000000=999999"))

    section("main_prepend_bos_shapes")
    print("Logits shape by default (with BOS)", tuple(model("Hello World").shape))
    print("Logits shape with BOS", tuple(model("Hello World", prepend_bos=True).shape))
    print("Logits shape without BOS - only 2 positions!", tuple(model("Hello World", prepend_bos=False).shape))

    section("main_bos_logit_diff")
    prompt = "Claire and Mary went to the shops, then Mary gave a bottle of milk to"
    for bos in [True, False]:
        logits = model(prompt, prepend_bos=bos)
        mary = logits[0, -1, model.to_single_token(" Mary")].item()
        claire = logits[0, -1, model.to_single_token(" Claire")].item()
        print(f"Logit difference {'with' if bos else 'without'} BOS: {(claire - mary):.3f}")

    section("main_claire_tokens")
    print(f"| Claire| -> {model.to_str_tokens(' Claire', prepend_bos=False)}")
    print(f"|Claire| -> {model.to_str_tokens('Claire', prepend_bos=False)}")

    section("main_hook_names")
    test_prompt = "The quick brown fox jumped over the lazy dog"
    print("Num tokens:", len(model.to_tokens(test_prompt)[0]))

    def print_name_shape_hook_function(activation, hook):
        print(hook.name, tuple(activation.shape))

    not_in_late_block_filter = lambda name: name.startswith("blocks.0.") or not name.startswith("blocks")
    model.run_with_hooks(test_prompt, return_type=None,
                         fwd_hooks=[(not_in_late_block_filter, print_name_shape_hook_function)])

    main_demo_model_side(model)


def main_demo_model_side(model):
    """Main_Demo cells on the model's own API: stop_at_layer, loss_fn, get_token_position, tl_named_parameters,
    FactoredMatrix, model.OV and its eigenvalues."""
    from transformer_lens import FactoredMatrix

    section("main_stop_at_layer")
    gpt2_tokens = model.to_tokens("Natural language processing tasks, such as question answering, machine translation")
    _, gpt2_attn_cache = model.run_with_cache(gpt2_tokens, remove_batch_dim=True, stop_at_layer=1,
                                              names_filter=["blocks.0.attn.hook_pattern"])
    print(list(gpt2_attn_cache.keys()))
    resid, cache = model.run_with_cache(gpt2_tokens, stop_at_layer=2)
    print(tuple(resid.shape), f"{resid.norm().item():.3f}", len([k for k in cache.keys() if k.startswith("blocks.2")]))
    print(f"{(resid - cache['blocks.1.hook_resid_post']).abs().max().item():.4f}")

    section("main_loss_fn")
    tokens = model.to_tokens(["The cat sat on the mat.", "The cat sat on the mat really hard."])
    logits = model(tokens)
    print(f"{model.loss_fn(logits, tokens).item():.4f}")
    per_token = model.loss_fn(logits, tokens, per_token=True)
    print(tuple(per_token.shape), [f"{x:.3f}" for x in per_token[0, :4].tolist()])
    mask = (tokens != model.tokenizer.pad_token_id).long()
    mask[:, 0] = 1
    print(f"{model.loss_fn(logits, tokens, attention_mask=mask).item():.4f}")

    section("main_get_token_position_modes")
    print("First occurrence", model.get_token_position(" cat", "The cat sat on the mat. The mat sat on the cat.",
                                                       mode="first"))
    print("Final occurrence", model.get_token_position(" cat", "The cat sat on the mat. The mat sat on the cat.",
                                                       mode="last"))

    section("main_tl_named_parameters")
    for name, param in model.tl_named_parameters():
        if name.startswith("blocks.0."):
            print(name, tuple(param.shape))
    for name, param in model.tl_named_parameters():
        if not name.startswith("blocks"):
            print(name, tuple(param.shape))

    section("main_factored_matrix")
    # The demo's cells 41-44 with IN_GITHUB true (torch.manual_seed(50) before each torch.randn); shapes
    # print as tuples and the 5x5 eigenvalues as the sums of the non-zero ones, as the Loupe script prints.
    torch.manual_seed(50)
    A = torch.randn(5, 2)
    B = torch.randn(2, 5)
    AB = A @ B
    AB_factor = FactoredMatrix(A, B)
    print("Norms:")
    print(AB.norm())
    print(AB_factor.norm())
    print(f"Right dimension: {AB_factor.rdim}, Left dimension: {AB_factor.ldim}, Hidden dimension: {AB_factor.mdim}")
    print("Eigenvalues:")
    full_eigenvalues = torch.linalg.eig(AB).eigenvalues
    print(AB_factor.eigenvalues)
    print()
    print("Singular Values:")
    print(torch.linalg.svd(AB).S[:2])
    print(AB_factor.S)
    nonzero = full_eigenvalues.abs() > 1e-3
    print(f"{full_eigenvalues.real[nonzero].sum().item():.3f}", f"{full_eigenvalues.imag[nonzero].abs().sum().item():.3f}",
          nonzero.sum().item())
    torch.manual_seed(50)
    C = torch.randn(5, 300)
    ABC = AB @ C
    ABC_factor = AB_factor @ C
    print("Unfactored:", tuple(ABC.shape), ABC.norm().round(decimals=3))
    print("Factored:", tuple(ABC_factor.shape), ABC_factor.norm().round(decimals=3))
    print(f"Right dimension: {ABC_factor.rdim}, Left dimension: {ABC_factor.ldim}, Hidden dimension: {ABC_factor.mdim}")
    print(torch.isclose(AB_factor.AB, AB).all())
    print([[round(x, 4) for x in row] for row in AB_factor.get_corner(2).tolist()])

    section("main_ov_circuit")
    OV_circuit_all_heads = model.OV
    print(tuple(OV_circuit_all_heads.shape), OV_circuit_all_heads.mdim)
    OV_circuit_all_heads_eigenvalues = OV_circuit_all_heads.eigenvalues
    print(tuple(OV_circuit_all_heads_eigenvalues.shape), OV_circuit_all_heads_eigenvalues.dtype)
    OV_copying_score = OV_circuit_all_heads_eigenvalues.sum(dim=-1).real / OV_circuit_all_heads_eigenvalues.abs().sum(dim=-1)
    print(f"{OV_copying_score.max().item():.4f}", OV_copying_score.flatten().argmax().item(),
          f"{OV_copying_score.mean().item():.4f}")
    last = OV_circuit_all_heads_eigenvalues[-1, -1, :]
    print(f"{last.real.sum().item():.4f}", f"{last.imag.abs().sum().item():.4f}")
    print([f"{x:.4f}" for x in OV_circuit_all_heads[3, 2].S[:4].tolist()], f"{OV_circuit_all_heads[3, 2].norm().item():.4f}")
    print([f"{x:.4f}" for x in model.QK[5, 1].S[:4].tolist()])


def load_gpt2_tiny():
    """Tests/Fixtures/models/gpt2-tiny (tools/gen_model_fixtures.py), as TransformerBridge loads it."""
    from transformers import AutoModelForCausalLM
    from transformer_lens.model_bridge import TransformerBridge
    d = os.path.join(ROOT, "Tests", "Fixtures", "models", "gpt2-tiny")
    hf = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32, attn_implementation="eager", **config).eval()
    model = TransformerBridge.boot_transformers(d, device="cpu", hf_model=hf)
    model.enable_compatibility_mode(disable_warnings=True)
    return model


def main_demo_gpt2_tiny(model):
    """Main_Demo cells that need a second model, a non-zero unembedding bias or a small vocabulary (the full OV
    circuit is [n_layers, n_heads, d_vocab, d_vocab]): run on the tiny GPT-2 fixture."""
    import einops

    section("main_second_model_induction")
    seq_len = 8
    repeated_tokens = einops.repeat(torch.tensor([[10 + 37 * i for i in range(seq_len)]]),
                                    "batch seq_len -> batch (2 seq_len)")
    store = torch.zeros((model.cfg.n_layers, model.cfg.n_heads))

    def induction_score_hook(pattern, hook):
        induction_stripe = pattern.diagonal(dim1=-2, dim2=-1, offset=1 - seq_len)
        store[hook.layer(), :] = einops.reduce(induction_stripe, "batch head_index position -> head_index", "mean")

    model.run_with_hooks(repeated_tokens, return_type=None,
                         fwd_hooks=[(lambda name: name.endswith("pattern"), induction_score_hook)])
    print([[f"{x:.4f}" for x in row] for row in store.tolist()])

    section("main_unembed_bias_sort")
    unembed_bias = model.unembed.b_U
    bias_values, bias_indices = unembed_bias.sort(descending=True)
    top_k = 20
    print(f"Top {top_k} values")
    for i in range(top_k):
        print(f"{bias_values[i].item():.2f} {repr(model.to_string(bias_indices[i]))}")
    print("...")
    print(f"Bottom {top_k} values")
    for i in range(top_k, 0, -1):
        print(f"{bias_values[-i].item():.2f} {repr(model.to_string(bias_indices[-i]))}")

    section("main_full_ov_circuit")
    OV_circuit_all_heads = model.OV
    OV_circuit_all_heads_eigenvalues = OV_circuit_all_heads.eigenvalues
    OV_copying_score = OV_circuit_all_heads_eigenvalues.sum(dim=-1).real / OV_circuit_all_heads_eigenvalues.abs().sum(dim=-1)
    full_OV_circuit = model.embed.W_E @ OV_circuit_all_heads @ model.unembed.W_U
    print(tuple(full_OV_circuit.shape), full_OV_circuit.mdim)
    full_OV_circuit_eigenvalues = full_OV_circuit.eigenvalues
    print(tuple(full_OV_circuit_eigenvalues.shape), full_OV_circuit_eigenvalues.dtype)
    full_OV_copying_score = full_OV_circuit_eigenvalues.sum(dim=-1).real / full_OV_circuit_eigenvalues.abs().sum(dim=-1)
    print([[f"{x:.4f}" for x in row] for row in full_OV_copying_score.tolist()])
    print([[f"{x:.4f}" for x in row] for row in OV_copying_score.tolist()])


if __name__ == "__main__":
    if "--main-demo-gpt2-tiny" in sys.argv:
        main_demo_gpt2_tiny(load_gpt2_tiny())
    elif "--main-demo" in sys.argv:
        main_demo(load_smollm2())
    else:
        main()
