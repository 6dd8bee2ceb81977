"""Bounds on the work an uploaded ledger may cost (data/ledger_limits.py)."""

MESSAGES = {
    "ledger.err.too_much_work": {
        "zh": "文件解压后内容过多(解压后最多 {mb} MB、全部工作表最多 {cells} 个单元格),"
              "未读取。请删去无关的工作表和空白格式后再发送,或拆分成几个文件。",
        "en": "The file holds too much once unpacked (at most {mb} MB unpacked and {cells} "
              "cells in all sheets); it was not read. Remove unrelated sheets and formatting, "
              "or split it into several files.",
    },
    "ledger.err.parse_timeout": {
        "zh": "读取文件超过 {seconds} 秒仍未完成,已放弃,未导入任何内容。请删去无关的工作表后再发送,或拆分成几个文件。",
        "en": "Reading the file took more than {seconds} s and was given up; nothing was "
              "imported. Remove unrelated sheets or split it into several files.",
    },
}
