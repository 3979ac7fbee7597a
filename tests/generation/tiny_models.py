"""Tiny random-weight diffusion models built in code (the way diffusers' own tests build them),
saved with save_pretrained into "local model folders" so the real loading code runs offline."""

from __future__ import annotations

import json
from pathlib import Path

import torch


def _byte_chars() -> list[str]:
    """GPT-2/CLIP's printable stand-ins for the 256 byte values."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
    bs += list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


def write_tokenizer(folder: Path) -> None:
    """A byte-level CLIP BPE vocabulary of 514 tokens (all bytes, with and without </w>)."""
    chars = _byte_chars()
    vocab = {c: i for i, c in enumerate(chars)}
    for c in chars:
        vocab[c + "</w>"] = len(vocab)
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "CLIPTokenizer",
                "model_max_length": 77,
                "bos_token": "<|startoftext|>",
                "eos_token": "<|endoftext|>",
                "unk_token": "<|endoftext|>",
                "pad_token": "<|endoftext|>",
            }
        )
    )


def _tokenizer(tmp: Path):
    from transformers import CLIPTokenizer

    write_tokenizer(tmp)
    return CLIPTokenizer.from_pretrained(tmp)


def _clip_config(**extra):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(
        bos_token_id=0,
        eos_token_id=2,
        hidden_size=32,
        intermediate_size=37,
        layer_norm_eps=1e-05,
        num_attention_heads=4,
        num_hidden_layers=2,
        pad_token_id=1,
        vocab_size=1000,
        hidden_act="gelu",
        **extra,
    )


def _vae():
    from diffusers import AutoencoderKL

    torch.manual_seed(0)
    return AutoencoderKL(
        block_out_channels=[32, 64],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        sample_size=64,
        layers_per_block=1,
    )


def build_sd(folder: Path) -> Path:
    """A tiny StableDiffusionPipeline (SD-Turbo / SD 1.5 shape)."""
    from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=32,
    )
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(_clip_config())
    pipe = StableDiffusionPipeline(
        unet=unet,
        scheduler=EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, steps_offset=1),
        vae=_vae(),
        text_encoder=text_encoder,
        tokenizer=_tokenizer(folder.with_name(folder.name + "-tokenizer")),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(folder)
    return folder


def _sdxl_parts(folder: Path, in_channels: int = 4) -> dict:
    from diffusers import EulerDiscreteScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=in_channels,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 1),
        projection_class_embeddings_input_dim=80,  # 6 * 8 + 32
        cross_attention_dim=64,
        norm_num_groups=32,
    )
    torch.manual_seed(0)
    te1 = CLIPTextModel(_clip_config())
    torch.manual_seed(0)
    te2 = CLIPTextModelWithProjection(_clip_config(projection_dim=32))
    tok = _tokenizer(folder.with_name(folder.name + "-tokenizer"))
    return {
        "unet": unet,
        "scheduler": EulerDiscreteScheduler(
            beta_start=0.00085, beta_end=0.012, steps_offset=1, timestep_spacing="leading"
        ),
        "vae": _vae(),
        "text_encoder": te1,
        "text_encoder_2": te2,
        "tokenizer": tok,
        "tokenizer_2": tok,
    }


def build_sdxl(folder: Path) -> Path:
    from diffusers import StableDiffusionXLPipeline

    StableDiffusionXLPipeline(**_sdxl_parts(folder)).save_pretrained(folder)
    return folder


def build_sdxl_inpaint(folder: Path) -> Path:
    from diffusers import StableDiffusionXLInpaintPipeline

    parts = _sdxl_parts(folder, in_channels=9)
    StableDiffusionXLInpaintPipeline(**parts, requires_aesthetics_score=False).save_pretrained(
        folder
    )
    return folder


def build_sdxl_adapter(folder: Path) -> Path:
    from diffusers import StableDiffusionXLAdapterPipeline, T2IAdapter

    torch.manual_seed(0)
    adapter = T2IAdapter(
        in_channels=3,
        channels=[32, 64],
        num_res_blocks=1,
        downscale_factor=4,
        adapter_type="full_adapter_xl",
    )
    StableDiffusionXLAdapterPipeline(**_sdxl_parts(folder), adapter=adapter).save_pretrained(folder)
    return folder


def tiny_lora(pipe_folder: Path, out: Path, *, seed: int, rank: int = 4) -> Path:
    """A random LoRA for the tiny SD UNet, written as diffusers' .safetensors LoRA file."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(pipe_folder / "unet")
    torch.manual_seed(seed)
    cfg = LoraConfig(
        r=rank,
        lora_alpha=rank,
        target_modules=["to_q", "to_k", "to_v", "to_out.0"],
        init_lora_weights=False,
    )
    unet.add_adapter(cfg)
    layers = convert_state_dict_to_diffusers(get_peft_model_state_dict(unet))
    out.parent.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(
        out.parent, unet_lora_layers=layers, weight_name=out.name, safe_serialization=True
    )
    return out
