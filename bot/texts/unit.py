"""/unit: the department's name as /report writes it (单位, the 主送 document's signature)."""

MESSAGES = {
    "menu.unit": {"zh": "本单位名称(报告用)", "en": "the department's name (for reports)"},
    "field.unit": {"zh": "单位名称", "en": "department name"},
    "unit.show": {
        "zh": "本单位名称:<b>{unit}</b>\n/report 的报告以此署名。修改:/unit 新名称",
        "en": "Department name: <b>{unit}</b>\n/report signs with it. To change: /unit new name",
    },
    "unit.unset": {
        "zh": "尚未设置本单位名称,/report 暂写“{default}”。设置:/unit 省投资促进局",
        "en": "No department name yet; /report writes “{default}”. Set it: /unit 省投资促进局",
    },
    "unit.saved": {
        "zh": "✓ 本单位名称已改为“{unit}”(原为:{old})。/report 将以此署名。",
        "en": "✓ Department name set to “{unit}” (was: {old}). /report will sign with it.",
    },
    "unit.same": {"zh": "本单位名称已是“{unit}”,未作修改。",
                  "en": "The department name is already “{unit}”; nothing changed."},
    "unit.bad": {
        "zh": "{error}\n请写2至40个字的单位名称,例如:/unit 省投资促进局",
        "en": "{error}\nWrite a name of 2 to 40 characters, e.g. /unit 省投资促进局",
    },
    "unit.too_short": {"zh": "单位名称太短:“{value}”。", "en": "The name “{value}” is too short."},
    "unit.none": {"zh": "(未设置)", "en": "(not set)"},
}
