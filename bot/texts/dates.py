"""Messages of dates, the working-day calendar and the deadline rules.

Owned by helper h1 (see the note at the top of bot/domain/workcal.py): every key that
bot/domain/dates.py, workcal.py, rules.py and bot/cmd/dates.py use is here.
"""

_EXAMPLES_ZH = "如“6月30日前”“下周五”“2020-06-30”“3个工作日内”"
_EXAMPLES_EN = "e.g. “6月30日前”, “下周五”, “2020-06-30”, “next friday”, “June 30”"

MESSAGES = {
    # ------------------------------------------------------------ date phrases
    "date.empty": {
        "zh": f"请写一个日期,{_EXAMPLES_ZH}。",
        "en": f"Please give a date, {_EXAMPLES_EN}.",
    },
    "date.too_long": {
        "zh": f"日期写得太长(最多{{limit}}字),请只写日期本身,{_EXAMPLES_ZH}。",
        "en": f"That is too long for a date (at most {{limit}} characters); give just the date, {_EXAMPLES_EN}.",
    },
    "date.not_understood": {
        "zh": f"看不懂日期“{{text}}”。请写成{_EXAMPLES_ZH[1:]}。",
        "en": f"Could not read “{{text}}” as a date; write it {_EXAMPLES_EN}.",
    },
    "date.no_such_day": {
        "zh": "“{text}”不是存在的日期(月份为1–12,日期不超过当月天数),请检查后重写,如“6月30日”。",
        "en": "“{text}” is not a real date (months 1–12, days within the month); check it, e.g. “6月30日”.",
    },
    "date.out_of_range": {
        "zh": "“{text}”超出了可处理的日期范围,请写具体日期,如“2020-06-30”。",
        "en": "“{text}” is out of the range of dates handled; give a date such as “2020-06-30”.",
    },
    "date.ago": {
        "zh": "“{text}”是过去的日期。办理时限请写“3天内”“3天后”或“6月30日前”(“前”表示截止)。",
        "en": "“{text}” is in the past. For a deadline write “3天内” (within 3 days), “3天后” or “6月30日前” (by June 30).",
    },
    "date.is_period": {
        "zh": "“{text}”是一段时间,不是某一天。请写具体日期,如“下周五”“本月底”“6月30日”。",
        "en": "“{text}” is a period, not a day; give one day, e.g. “下周五”, “本月底”, “6月30日”.",
    },
    "period.not_understood": {
        "zh": "看不懂时间范围“{text}”。请写如“本周”“下周”“本月”“7天内”“3个工作日内”“6月30日前”“今年”。",
        "en": "Could not read “{text}” as a period; write e.g. “本周” (this week), “下月”, “7天内”, “this week”, “within 7 days”.",
    },
    "period.reversed": {
        "zh": "“{text}”的开始日期 {start} 晚于结束日期 {end},请检查后重写,如“6月1日至6月30日”。",
        "en": "“{text}”: the start {start} is after the end {end}; check it, e.g. “June 1 to June 30”.",
    },
    "period.past": {
        "zh": "“{text}”的截止日期 {end} 已经过去。要查过去的时段,请写起止日期,如“2020-06-01至2020-06-30”。",
        "en": "“{text}” ends on {end}, which has passed; for a past period give both ends, e.g. “2020-06-01 to 2020-06-30”.",
    },
    "date.not_found": {
        "zh": f"在“{{text}}”中没有找到日期,请写明日期,{_EXAMPLES_ZH}。",
        "en": f"No date found in “{{text}}”; state the date, {_EXAMPLES_EN}.",
    },
    # ------------------------------------------------------------ the working-day calendar
    "cal.estimated": {
        "zh": "{year}年节假日安排尚未发布,按周一至周五估算",
        "en": "The {year} public holiday schedule is not published yet; working days are estimated as Monday to Friday",
    },
    "cal.bad_override_date": {
        "zh": "日历调整中的日期“{value}”无效,请写成 2020-10-10 这样的格式。",
        "en": "Calendar override date “{value}” is not valid; write it like 2020-10-10.",
    },
    "cal.bad_override_kind": {
        "zh": "{date} 的日历调整“{value}”无效,只能是 workday(上班)或 holiday(放假)。",
        "en": "Calendar override for {date}: “{value}” is not valid; use workday or holiday.",
    },
    "cal.bad_override_name": {
        "zh": "{date} 的日历调整名称太长,最多{limit}字。",
        "en": "Calendar override for {date}: the name is too long (at most {limit} characters).",
    },
    "cal.year_out_of_range": {
        "zh": "{year}年超出了工作日历的范围({low}–{high})。",
        "en": "Year {year} is outside the working calendar's range ({low}–{high}).",
    },
    "cal.kind.workday": {"zh": "上班", "en": "working day"},
    "cal.kind.holiday": {"zh": "放假", "en": "holiday"},
    "cal.source.official": {"zh": "国务院安排", "en": "official"},
    "cal.source.override": {"zh": "管理员调整", "en": "admin override"},
    "cal.show.header": {
        "zh": "{year}年工作日共{workdays}天。节假日与调休:",
        "en": "{year}: {workdays} working {workdays:day|days}. Holidays and make-up working days:",
    },
    "cal.show.line": {
        "zh": "{date} {weekday} {kind} {name}({source})",
        "en": "{date} {weekday} {kind} {name} ({source})",
    },
    "cal.show.none": {
        "zh": "(无:按周一至周五)",
        "en": "(none: Monday to Friday)",
    },
    "cal.set.done": {
        "zh": "已设置:{date} {kind} {name}",
        "en": "Set: {date} {kind} {name}",
    },
    "cal.set.covers_year": {
        "zh": "注意:{year}年有了管理员调整,该年不再按周一至周五估算。请把该年全部节假日和调休上班日都录入。",
        "en": "Note: {year} now has overrides, so it is no longer estimated as Monday to Friday. Enter all of that year's holidays and make-up working days.",
    },
    "cal.unset.done": {"zh": "已删除 {date} 的日历调整。", "en": "Removed the override for {date}."},
    "cal.unset.missing": {"zh": "{date} 没有日历调整。", "en": "{date} has no override."},
    "cal.weekday.0": {"zh": "周一", "en": "Mon"},
    "cal.weekday.1": {"zh": "周二", "en": "Tue"},
    "cal.weekday.2": {"zh": "周三", "en": "Wed"},
    "cal.weekday.3": {"zh": "周四", "en": "Thu"},
    "cal.weekday.4": {"zh": "周五", "en": "Fri"},
    "cal.weekday.5": {"zh": "周六", "en": "Sat"},
    "cal.weekday.6": {"zh": "周日", "en": "Sun"},
    "cal.bad_date": {
        "zh": "日期“{value}”无效,请写成 2020-10-10 这样的格式。",
        "en": "“{value}” is not a valid date; write it like 2020-10-10.",
    },
    # ------------------------------------------------------------ deadline rules
    "rules.unknown_key": {
        "zh": "没有“{rule}”这一规则。可设置:{known}。",
        "en": "There is no rule “{rule}”. Rules: {known}.",
    },
    "rules.bad_value": {
        "zh": "规则“{rule}”的值“{value}”无效:{hint}",
        "en": "Rule “{rule}”: “{value}” is not valid: {hint}",
    },
    "rules.bad_year": {
        "zh": "规则表中的年度“{value}”无效,请写四位年份,如 2020。",
        "en": "Rules table: “{value}” is not a year; write four digits, e.g. 2020.",
    },
    "rules.hint.month_day": {"zh": "请写成“月-日”,如 06-30。", "en": "write month-day, e.g. 06-30."},
    "rules.hint.months": {"zh": "请写1到24之间的整数(月数)。", "en": "give a whole number of months from 1 to 24."},
    "rules.hint.offsets": {
        "zh": "请写0到90之间、互不相同的天数,用逗号分隔,如 14,7,3,1,0。",
        "en": "give distinct day counts from 0 to 90, separated by commas, e.g. 14,7,3,1,0.",
    },
    "rules.hint.workdays": {"zh": "请写1到60之间的整数(工作日数)。", "en": "give a whole number of working days from 1 to 60."},
    "rules.hint.time": {"zh": "请写成“时:分”,如 09:00。", "en": "write hours:minutes, e.g. 09:00."},
    "rules.hint.escalation": {
        "zh": "请为1–4级各写一个逾期工作日数(0–60,逐级不减),如 1:1,2:3,3:5,4:10。",
        "en": "give working days overdue (0–60, never decreasing) for levels 1–4, e.g. 1:1,2:3,3:5,4:10.",
    },
    "rules.label.opinion_due": {"zh": "会(协)办意见截止(月-日)", "en": "co-handling opinion due (month-day)"},
    "rules.label.reply_months": {"zh": "主(独、分)办答复时限(交办后月数)", "en": "reply due (months after assignment)"},
    "rules.label.publish_due": {"zh": "办理结果公开截止(月-日)", "en": "publishing due (month-day)"},
    "rules.label.publish_workdays": {"zh": "迟于公开截止答复的件:答复后公开时限(工作日)", "en": "publishing after a late answer (working days after it)"},
    "rules.label.followup_due": {"zh": "续办续复截止(月-日)", "en": "follow-up due (month-day)"},
    "rules.label.reopen_months": {"zh": "不满意重新办理时限(月数)", "en": "re-handling after “not satisfied” (months)"},
    "rules.label.remind_offsets": {"zh": "提前提醒天数", "en": "reminder days before the deadline"},
    "rules.label.remind_time": {"zh": "每日提醒时间", "en": "daily reminder time"},
    "rules.label.escalation": {
        "zh": "逐级督办(级别:逾期工作日数)",
        "en": "escalation (level: working days overdue)",
    },
    "rules.show.header": {"zh": "{year}年办理时限规则:", "en": "Deadline rules for {year}:"},
    "rules.show.header_default": {
        "zh": "各年通用的办理时限规则:",
        "en": "Deadline rules for every year:",
    },
    "rules.show.line": {"zh": "{label}:{value}  [{key}]", "en": "{label}: {value}  [{key}]"},
    "rules.set.done": {
        "zh": "已将{scope}的“{label}”设为 {value}。",
        "en": "Set “{label}” to {value} for {scope}.",
    },
    "rules.scope.year": {"zh": "{year}年", "en": "{year}"},
    "rules.scope.default": {"zh": "各年(未单独设置的年度)", "en": "every year without its own value"},
}
