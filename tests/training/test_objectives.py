"""The objectives of training/README.md, checked against TRL 1.16's own loss code on a tiny random model:
GRPO's ``exp(logp - logp.detach()) * A`` has value A and gradient A * grad(logp) for every loss type, the
k3 KL term, and SFT's label-smoothed loss ``(1 - eps) * NLL + eps * mean_V(-log p)``."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from datasets import Dataset
from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM
from trl import GRPOConfig, GRPOTrainer, SFTConfig, SFTTrainer

from distill.llm.local_model import LOCAL_MODEL_ALIAS, resolve_model
from training.rewards import reasoning_steps_reward

PROMPT_LEN, COMPLETION_LEN = 5, 6
ADVANTAGES = torch.tensor([1.0, -0.5, 0.25, -0.75])


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_model(LOCAL_MODEL_ALIAS))


def tiny_model(vocab_size: int) -> LlamaForCausalLM:
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=64,
    )
    return LlamaForCausalLM(config)


def grpo_trainer(tokenizer, tmp_path, loss_type: str, beta: float) -> GRPOTrainer:
    args = GRPOConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        bf16=False,
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=COMPLETION_LEN,
        temperature=1.0,
        beta=beta,
        loss_type=loss_type,
        report_to="none",
        activation_checkpointing=False,
    )
    model = tiny_model(len(tokenizer))
    if beta:  # the reference model is loaded again from the model's path
        model.save_pretrained(tmp_path / "tiny")
        model = str(tmp_path / "tiny")
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        reward_funcs=[reasoning_steps_reward],
        args=args,
        train_dataset=Dataset.from_dict({"prompt": ["What is 1 + 1?"] * 4}),
    )
    trainer.model.eval()  # eval mode: the loss is not divided by the gradient accumulation steps
    return trainer


def batch(vocab_size: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    completion_mask = torch.ones(4, COMPLETION_LEN, dtype=torch.long)
    completion_mask[1, 4:] = 0  # completions of different lengths
    completion_mask[3, 2:] = 0
    return {
        "prompt_ids": torch.randint(0, vocab_size, (4, PROMPT_LEN), generator=generator),
        "prompt_mask": torch.ones(4, PROMPT_LEN, dtype=torch.long),
        "completion_ids": torch.randint(0, vocab_size, (4, COMPLETION_LEN), generator=generator),
        "completion_mask": completion_mask,
        "advantages": ADVANTAGES.clone(),
        "num_items_in_batch": completion_mask.sum(),
    }


def completion_logps(model, inputs) -> torch.Tensor:
    """log p(o_t | q, o_<t) of every completion token, from plain logits."""
    input_ids = torch.cat([inputs["prompt_ids"], inputs["completion_ids"]], dim=1)
    mask = torch.cat([inputs["prompt_mask"], inputs["completion_mask"]], dim=1)
    logits = model(input_ids=input_ids, attention_mask=mask).logits[:, PROMPT_LEN - 1 : -1]
    return (
        torch.log_softmax(logits.float(), -1).gather(-1, inputs["completion_ids"].unsqueeze(-1)).squeeze(-1)
    )


def aggregate(per_token: torch.Tensor, mask: torch.Tensor, loss_type: str) -> torch.Tensor:
    """How each TRL loss type turns per-token terms into the loss (eval mode, one process)."""
    if loss_type == "grpo":  # mean over each sequence's tokens, then over sequences
        return ((per_token * mask).sum(-1) / mask.sum(-1)).mean()
    if loss_type == "dr_grpo":  # a constant: batch size x max_completion_length
        return (per_token * mask).sum() / (mask.size(0) * COMPLETION_LEN)
    return (per_token * mask).sum() / mask.sum()  # bnpo, dapo: over the active tokens of the batch


@pytest.mark.parametrize("loss_type", ["grpo", "bnpo", "dr_grpo", "dapo"])
def test_grpo_ratio_has_value_a_and_gradient_a_grad_logp(tokenizer, tmp_path, loss_type):
    trainer = grpo_trainer(tokenizer, tmp_path, loss_type, beta=0.0)
    model, inputs = trainer.model, batch(len(tokenizer))
    mask = inputs["completion_mask"].float()
    params = [p for p in model.parameters() if p.requires_grad]

    loss = trainer._compute_loss(model, inputs)  # on-policy: old logps = logps.detach(), ratio exp(0) = 1
    expected_value = -aggregate(ADVANTAGES[:, None].expand_as(mask), mask, loss_type)
    assert loss.item() == pytest.approx(expected_value.item(), abs=1e-6)

    reinforce = -aggregate(ADVANTAGES[:, None] * completion_logps(model, inputs), mask, loss_type)
    trl_grads = torch.autograd.grad(loss, params)
    reinforce_grads = torch.autograd.grad(reinforce, params)
    assert any(g.abs().sum() > 0 for g in trl_grads)
    for got, want in zip(trl_grads, reinforce_grads, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-7)


def test_grpo_kl_term_is_k3_times_beta(tokenizer, tmp_path):
    beta = 0.1
    trainer = grpo_trainer(tokenizer, tmp_path, "dapo", beta=beta)
    model, inputs = trainer.model, batch(len(tokenizer))
    mask = inputs["completion_mask"].float()
    with torch.no_grad():
        logps = completion_logps(model, inputs)
    ref = logps - torch.linspace(-1.0, 1.0, COMPLETION_LEN)  # a reference model that disagrees a little
    loss = trainer._compute_loss(model, {**inputs, "ref_per_token_logps": ref})
    k3 = torch.exp(ref - logps) - (ref - logps) - 1  # >= 0, unbiased estimate of KL(pi || pi_ref)
    assert (k3 >= 0).all()
    expected = aggregate(-ADVANTAGES[:, None] + beta * k3, mask, "dapo")
    assert loss.item() == pytest.approx(expected.item(), abs=1e-5)


def test_sft_label_smoothing_is_nll_mixed_with_the_uniform_cross_entropy(tokenizer, tmp_path):
    eps = 0.1
    conversations = Dataset.from_dict(
        {
            "prompt": [[{"role": "user", "content": "What is 2 + 3?"}]] * 2,
            "completion": [[{"role": "assistant", "content": "<think>\n2 + 3 = 5\n</think>\n\\boxed{5}"}]]
            * 2,
        }
    )
    args = SFTConfig(
        output_dir=str(tmp_path),
        use_cpu=True,
        bf16=False,
        per_device_train_batch_size=2,
        label_smoothing_factor=eps,
        completion_only_loss=True,
        report_to="none",
        activation_checkpointing=False,
    )
    with pytest.warns(FutureWarning, match="label_smoothing_factor"):
        trainer = SFTTrainer(
            model=tiny_model(len(tokenizer)),
            processing_class=tokenizer,
            args=args,
            train_dataset=conversations,
        )
    inputs = trainer._prepare_inputs(next(iter(trainer.get_train_dataloader())))
    labels = inputs["labels"]
    loss = trainer.compute_loss(trainer.model, dict(inputs))

    logits = trainer.model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"]).logits
    logp = torch.log_softmax(logits[:, :-1].float(), -1)
    targets = labels[:, 1:]
    active = targets != -100
    nll = -logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)[active].mean()
    uniform = -logp.mean(-1)[active].mean()  # cross-entropy against the uniform distribution over V tokens
    assert 0 < active.sum() < targets.numel()  # the prompt is masked: completion tokens only
    assert loss.item() == pytest.approx(((1 - eps) * nll + eps * uniform).item(), rel=1e-5)
    torch.testing.assert_close(
        loss.detach(), F.cross_entropy(logits[:, :-1][active], targets[active], label_smoothing=eps).detach()
    )
