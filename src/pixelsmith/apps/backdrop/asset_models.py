"""The `backdrop_assets` table: the background library (starter set, imports, generated).

`user_id` NULL is a shared asset (the starter set); otherwise the asset is that user's only.
The image and its thumbnail are content-addressed blobs in storage; `embedding` holds the
description's float32 sentence embedding (bytes) with the name of the model that made it, so
a change of model re-embeds instead of mixing spaces.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import JSON, DateTime, Float, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pixelsmith.core.db import Base, utcnow

from .types import Asset, Box


class BackdropAsset(Base):
    __tablename__ = "backdrop_assets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(16))  # "starter" | "import" | "generated"
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)  # English, embedded for retrieval
    descriptions: Mapped[dict[str, str]] = mapped_column(JSON)  # language → text for people
    colours: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # {hex, name, share}
    brightness: Mapped[float] = mapped_column(Float)
    texture: Mapped[float] = mapped_column(Float)
    floor_y: Mapped[float] = mapped_column(Float)
    podium: Mapped[dict[str, int] | None] = mapped_column(JSON, nullable=True)
    tags: Mapped[list[str]] = mapped_column(JSON)
    labels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # classifier {label, p}
    blob_key: Mapped[str] = mapped_column(String(80))
    thumb_key: Mapped[str] = mapped_column(String(80))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    embedding_model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def vector(self) -> np.ndarray | None:
        if not self.embedding:
            return None
        return np.frombuffer(self.embedding, dtype=np.float32)

    def to_asset(self) -> Asset:
        pod = self.podium
        return Asset(
            id=self.id,
            name=self.name,
            description=self.description,
            kind=self.kind,
            source=self.source,
            colours=[c["hex"] for c in self.colours],
            brightness=float(self.brightness),
            texture=float(self.texture),
            floor_y=float(self.floor_y),
            podium=Box(pod["x"], pod["y"], pod["w"], pod["h"]) if pod else None,
            tags=list(self.tags or []),
            labels=[lab["label"] for lab in (self.labels or [])],
            blob_key=self.blob_key,
            thumb_key=self.thumb_key,
            width=int(self.width),
            height=int(self.height),
            descriptions=dict(self.descriptions or {}),
        )
