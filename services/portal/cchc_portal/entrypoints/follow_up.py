"""The public pages of the follow-up of replication: the models the Chairman of the City
People's Committee recognised and how far each has spread, read without signing in (the
reporting service publishes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cchc_portal.entrypoints.http import ServicesDep, current_session
from cchc_portal.entrypoints.pages import TEMPLATES, render
from cchc_shared.reference import DISTRICT_TILES

router = APIRouter()


def _percent_vi(value: float) -> str:
    """28.6 -> "28,6%": Vietnamese writes a decimal comma."""
    return f"{value:g}".replace(".", ",") + "%"


TEMPLATES.env.filters["percent_vi"] = _percent_vi

SCOPE_LABELS = {
    "city_wide": "Toàn Thành phố",
    "district_level": "Cấp huyện",
    "commune_level": "Cấp xã",
}
SHADES = 5  # the tile colours: 0-19 %, 20-39 %, … 80-99 %, and 100 % (shade-5)


@dataclass(frozen=True)
class Tile:
    name: str
    column: int  # 1-based, for the CSS grid
    row: int
    shade: str  # a CSS class: how far the model reached there
    figure: str


def _short(name: str) -> str:
    for prefix in ("Thành phố ", "Quận ", "Huyện "):
        if name.startswith(prefix):
            rest = name.removeprefix(prefix)
            return f"Q.{rest}" if prefix == "Quận " and rest.isdigit() else rest
    return name


def tiles(districts: list[dict[str, Any]]) -> list[Tile]:
    found = []
    for d in districts:
        column, row = DISTRICT_TILES[d["district_code"]]
        percent = d["percent"]
        shade = "shade-none" if percent is None else f"shade-{min(SHADES, int(percent // 20))}"
        figure = f"{d['adopted']}/{d['targets']}" if d["targets"] else "—"
        found.append(Tile(_short(d["name"]), column + 1, row + 1, shade, figure))
    return found


@router.get("/nhan-rong", response_class=HTMLResponse)
async def recognised_models(request: Request, services: ServicesDep) -> HTMLResponse:
    models = await services.apis.call("reporting", "GET", "/follow-up/models", None)
    return render(
        request,
        "follow_up/models.html",
        {"title": "Mô hình được công nhận, nhân rộng", "models": models, "scopes": SCOPE_LABELS},
        session=current_session(request),
    )


@router.get("/nhan-rong/{initiative_id}", response_class=HTMLResponse)
async def recognised_model(
    request: Request, initiative_id: UUID, services: ServicesDep
) -> HTMLResponse:
    model = await services.apis.call("reporting", "GET", f"/follow-up/models/{initiative_id}", None)
    return render(
        request,
        "follow_up/model.html",
        {
            "title": model["title"],
            "model": model,
            "tiles": tiles(model["districts"]),
            "scopes": SCOPE_LABELS,
        },
        session=current_session(request),
    )
