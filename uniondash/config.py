"""Configuration in one place: repository paths, data folder, region and organisation name."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from uniondash.errors import RegionError
from uniondash.text.i18n import use_region

ROOT = Path(__file__).resolve().parent.parent
QUERIES_DIR = ROOT / "queries"
CONFIG_FILE = ROOT / "uniondash.toml"
ADCODE_RE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    region_adcode: str
    org_name_zh: str
    org_name_en: str
    tile_url: str = ""  # optional raster basemap ({z}/{x}/{y}); empty = no basemap, no requests
    tile_crs: str = "WGS-84"  # the tiles' coordinate system; data are converted to it when they differ
    timezone: str = "Asia/Shanghai"  # "today", an as-of in the future and created_at are dates here
    import_max_mb: float = 500.0  # an import refuses a larger file (the scale-100 stations CSV is ~150 MB)
    # An import runs in a child process under these limits (uniondash.data.importer.isolated)
    import_memory_mb: float = 6144.0  # its address space (the scale-100 XLSX import peaks near 1.9 GB resident)
    import_timeout_s: float = 1800.0
    # An intranet portal (an origin, e.g. "https://portal.example.gov.cn") allowed to frame the
    # dashboard; empty: only the dashboard's own pages may (uniondash.ui.guard).
    frame_portal: str = ""

    def __post_init__(self) -> None:
        # the words for the whole region (全省 / 全市 / 全区) follow the region's own level, in every string
        use_region(self.region_adcode, self.org_name_zh)

    @property
    def snapshots_dir(self) -> Path:
        return self.data_dir / "snapshots"


def validate_adcode(adcode: str) -> str:
    adcode = str(adcode).strip()
    if not ADCODE_RE.match(adcode):
        raise RegionError(
            f"区划代码 '{adcode}' 无效：应为 6 位数字，例如 420000（湖北省）或 420500（宜昌市）。"
            f" / Invalid region code '{adcode}': expected 6 digits, e.g. 420000."
        )
    return adcode


def load_settings() -> Settings:
    """Read uniondash.toml, then let environment variables override it."""
    raw: dict = {}
    if CONFIG_FILE.exists():
        raw = tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    region = raw.get("region", {})
    org = raw.get("organisation", {})
    map_cfg = raw.get("map", {})
    imp = raw.get("import", {})
    tile_crs = map_cfg.get("tile_crs", "WGS-84")
    if tile_crs not in ("WGS-84", "GCJ-02"):
        raise RegionError(
            f"uniondash.toml [map] tile_crs = '{tile_crs}'：应为 WGS-84 或 GCJ-02。/ must be WGS-84 or GCJ-02."
        )
    data_dir = Path(os.environ.get("UNIONDASH_DATA") or ROOT / "data").resolve()
    adcode = validate_adcode(os.environ.get("UNIONDASH_REGION") or region.get("adcode", "420000"))
    return Settings(
        data_dir=data_dir,
        region_adcode=adcode,
        org_name_zh=os.environ.get("UNIONDASH_ORG_NAME") or org.get("name_zh", "总工会"),
        org_name_en=os.environ.get("UNIONDASH_ORG_NAME_EN") or org.get("name_en", "Federation of Trade Unions"),
        tile_url=os.environ.get("UNIONDASH_TILE_URL", map_cfg.get("tile_url", "")),
        tile_crs=tile_crs,
        timezone=os.environ.get("UNIONDASH_TZ") or region.get("timezone", "Asia/Shanghai"),
        import_max_mb=float(os.environ.get("UNIONDASH_IMPORT_MAX_MB") or imp.get("max_file_mb", 500)),
        import_memory_mb=float(os.environ.get("UNIONDASH_IMPORT_MEMORY_MB") or imp.get("memory_mb", 6144)),
        import_timeout_s=float(imp.get("timeout_s", 1800)),
        frame_portal=validate_origin(raw.get("security", {}).get("frame_portal", "")),
    )


ORIGIN_RE = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def validate_origin(origin: str) -> str:
    """An origin (scheme, host, optional port) for a header: nothing else may reach one."""
    origin = str(origin).strip()
    if origin and not ORIGIN_RE.match(origin):
        raise RegionError(
            f"uniondash.toml [security] frame_portal = '{origin}'：应为来源地址，例如 https://portal.example.gov.cn。"
            f" / must be an origin such as https://portal.example.gov.cn."
        )
    return origin
