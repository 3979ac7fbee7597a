"""The diffusion models pixelsmith knows: names users type, where they come from, what they do."""

from __future__ import annotations

from dataclasses import dataclass, field

from pixelsmith.core.errors import ApiError

CAPABILITIES = ("txt2img", "img2img", "inpaint", "sketch2img")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    repo_id: str
    # The diffusers class its folder loads as (model_index.json says the same).
    pipeline_class: str
    capabilities: tuple[str, ...]
    family: str  # "sd" (4-ch latents, SD 1.x/2.x VAE) or "sdxl"
    title: str
    default_size: int
    default_steps: int
    default_guidance: float
    # Only for sketch2img: the T2I-Adapter repo, put in <folder>/adapter by a hub install, and
    # the catalogue model whose weights serve as the base when the folder holds only the adapter.
    adapter_repo_id: str | None = None
    base_model: str | None = None
    variant: str | None = "fp16"
    notes: str = ""
    extra: dict = field(default_factory=dict)


CATALOGUE: dict[str, ModelEntry] = {
    e.name: e
    for e in (
        ModelEntry(
            name="sd-turbo",
            repo_id="stabilityai/sd-turbo",
            pipeline_class="StableDiffusionPipeline",
            capabilities=("txt2img", "img2img"),
            family="sd",
            title="SD-Turbo (1 to 4 steps, 512²)",
            default_size=512,
            default_steps=2,
            default_guidance=0.0,
        ),
        ModelEntry(
            name="sdxl-turbo",
            repo_id="stabilityai/sdxl-turbo",
            pipeline_class="StableDiffusionXLPipeline",
            capabilities=("txt2img", "img2img"),
            family="sdxl",
            title="SDXL-Turbo (1 to 4 steps, 512²)",
            default_size=512,
            default_steps=2,
            default_guidance=0.0,
        ),
        ModelEntry(
            name="sdxl-base",
            repo_id="stabilityai/stable-diffusion-xl-base-1.0",
            pipeline_class="StableDiffusionXLPipeline",
            capabilities=("txt2img", "img2img"),
            family="sdxl",
            title="SDXL 1.0 base (1024²)",
            default_size=1024,
            default_steps=30,
            default_guidance=7.0,
        ),
        ModelEntry(
            name="sd15",
            repo_id="stable-diffusion-v1-5/stable-diffusion-v1-5",
            pipeline_class="StableDiffusionPipeline",
            capabilities=("txt2img", "img2img"),
            family="sd",
            title="Stable Diffusion 1.5 (512²)",
            default_size=512,
            default_steps=30,
            default_guidance=7.5,
        ),
        ModelEntry(
            name="sdxl-inpaint",
            repo_id="diffusers/stable-diffusion-xl-1.0-inpainting-0.1",
            pipeline_class="StableDiffusionXLInpaintPipeline",
            capabilities=("inpaint",),
            family="sdxl",
            title="SDXL 1.0 inpainting",
            default_size=1024,
            default_steps=30,
            default_guidance=7.0,
        ),
        ModelEntry(
            name="sdxl-t2i-sketch",
            repo_id="stabilityai/stable-diffusion-xl-base-1.0",
            adapter_repo_id="TencentARC/t2i-adapter-sketch-sdxl-1.0",
            base_model="sdxl-base",
            pipeline_class="StableDiffusionXLAdapterPipeline",
            capabilities=("sketch2img",),
            family="sdxl",
            title="T2I-Adapter sketch on SDXL 1.0",
            default_size=1024,
            default_steps=30,
            default_guidance=7.5,
            notes="Folder: a full StableDiffusionXLAdapterPipeline, or adapter/ only (the base "
            "weights then come from sdxl-base).",
        ),
    )
}


def entry(name: str) -> ModelEntry:
    """The catalogue entry for `name`, or a 422 that lists the known names."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise ApiError(
            f"Unknown model '{name}'. Known models: {', '.join(sorted(CATALOGUE))}.",
            code="unknown_model",
            status_code=422,
            details={"model": name, "known": sorted(CATALOGUE)},
        ) from None


def models_for(capability: str) -> list[str]:
    return [e.name for e in CATALOGUE.values() if capability in e.capabilities]


def install_command(name: str) -> str:
    return f"pixelsmith models install {name}"
