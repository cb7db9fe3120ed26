"""What an account may write: its role and, for an editor, the layers (a whole layer, or the facilities
of one group or kind: ``facilities:fire``, ``facilities:fire_brigade``) and optionally the townships.
Department presets name the usual layer scopes of the bureaus."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.errors import OptionError
from layers.catalog.specs import PLAN_LAYERS, get_spec

ROLES = ("viewer", "editor", "admin")
ROLE_LABELS = {"viewer": ("查看", "viewer"), "editor": ("编辑", "editor"), "admin": ("管理员", "admin")}
WRITABLE = (*PLAN_LAYERS, "townships")
"""Layers people write (the plan inventories by editing or import; township boundaries by import)."""
KIND_GROUPS: dict[str, dict[str, tuple[str, ...]]] = {
    "facilities": {"fire": ("fire_brigade",), "flood": ("water_reserve_point", "flood_key_area")},
}
"""Named groups of a layer's kinds, for scopes such as ``facilities:fire`` (消防/救援队站) and
``facilities:flood`` (水上救援储备点, 防汛重点区域)."""
DEPARTMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "林业局": ("forestry", ("forest_fire", "facilities:fire")),
    "水利局": ("water", ("reservoirs", "rivers", "facilities:flood")),
    "规划和自然资源局": ("natural_resources", ("geohazards", "townships")),
}
"""Department presets: Chinese name -> (English key, layer scope)."""


def department_layers(dept: str) -> tuple[str, ...]:
    """The layer scope of a department (its Chinese name or English key)."""
    for zh, (en, layers) in DEPARTMENTS.items():
        if dept.strip() in (zh, en):
            return layers
    known = "、".join(f"{zh}({en})" for zh, (en, _) in DEPARTMENTS.items())
    raise OptionError(f"没有部门预设“{dept}”：可选 {known} / no department preset {dept!r}: choose one of {known}")


def parse_list(text: str | Iterable[str] | None) -> tuple[str, ...]:
    """A comma-separated list (or the items of one) without blanks and repeats, in order."""
    items = text.replace("，", ",").replace("、", ",").split(",") if isinstance(text, str) else list(text or ())
    return tuple(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def check_layers(items: Iterable[str]) -> tuple[str, ...]:
    """Layer scope items checked: a writable layer, or ``layer:group`` / ``layer:kind``."""
    out = parse_list(items)
    for item in out:
        layer, _, part = item.partition(":")
        if layer not in WRITABLE:
            raise OptionError(f"范围中的图层“{item}”不能写入：可写图层有 {', '.join(WRITABLE)} / layer {item!r} in the scope is not "
                              f"writable: the layers are {', '.join(WRITABLE)} (a facility group: facilities:fire or facilities:flood)")
        kinds = {k.id for k in get_spec(layer).kinds}
        if part and part not in KIND_GROUPS.get(layer, {}) and part not in kinds:
            allowed = ", ".join([*KIND_GROUPS.get(layer, {}), *sorted(kinds)])
            raise OptionError(f"图层 {layer} 没有类别或类别组“{part}”：可选 {allowed} / layer {layer} has no kind or group {part!r}: "
                              f"choose one of {allowed}")
    return out


@dataclass(frozen=True)
class Grant:
    """A role with its scope (an editor's layers and townships; empty townships: every township)."""

    role: str
    layers: tuple[str, ...] = ()
    townships: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise OptionError(f"角色“{self.role}”不存在：可选 viewer（查看）、editor（编辑）、admin（管理员） / "
                              f"unknown role {self.role!r}: choose viewer, editor or admin")
        if self.role == "editor" and not self.layers:
            raise OptionError("编辑角色需要图层范围：请给出 --layers 或 --dept（如 --dept 林业局） / "
                              "an editor needs a layer scope: give --layers or --dept (e.g. --dept 林业局)")

    def allows(self, layer: str, kind: object, township: object) -> bool:
        """Whether this grant may write a feature of ``layer`` with ``kind`` in ``township`` (a feature in
        several townships, ``"甲镇;乙镇"``, only when the scope holds every one)."""
        if self.role != "editor":
            return self.role == "admin"
        towns = [t.strip() for t in str(township or "").replace("；", ";").split(";") if t.strip()]
        if self.townships and not (towns and set(towns) <= set(self.townships)):
            return False
        return any(self._covers(item, layer, str(kind or "")) for item in self.layers)

    @staticmethod
    def _covers(item: str, layer: str, kind: str) -> bool:
        lid, _, part = item.partition(":")
        return lid == layer and (not part or part == kind or kind in KIND_GROUPS.get(lid, {}).get(part, ()))

    def describe(self, lang: str = "zh") -> str:
        """The role and scope in words, e.g. ``编辑：forest_fire, facilities:fire；乡镇 桂溪街道``."""
        role = ROLE_LABELS[self.role][0 if lang == "zh" else 1]
        if self.role != "editor":
            return role
        towns = ("；乡镇 " if lang == "zh" else "; townships ") + "、".join(self.townships) if self.townships else ""
        return f"{role}{'：' if lang == 'zh' else ': '}{', '.join(self.layers)}{towns}"
