"""Operations: backups, restore, the consistency check, /health, a save that failed."""

MESSAGES = {
    # backups (data/backup.py, duban backup)
    "backup.no_database": {
        "zh": "数据目录 {path} 中还没有数据库,没有可备份的内容。",
        "en": "The data directory {path} holds no database yet; there is nothing to back up.",
    },
    "backup.bad_database": {
        "zh": "数据库 {path} 无法读取,不能备份。请运行 duban check。",
        "en": "The database {path} cannot be read, so it cannot be backed up. Run duban check.",
    },
    "backup.short_journal": {
        "zh": "历史记录 {path} 比数据库记载的短,不能生成一致的备份。请运行 duban check。",
        "en": "The history {path} is shorter than the database says; no consistent backup can "
              "be made. Run duban check.",
    },
    "backup.not_a_backup": {
        "zh": "{path} 不是 duban 的备份文件(或已损坏)。",
        "en": "{path} is not a duban backup (or it is damaged).",
    },
    "backup.checksum": {
        "zh": "备份文件 {path} 的校验和不符,文件已损坏,不能使用。",
        "en": "The checksums of the backup {path} do not match: the file is damaged and cannot "
              "be used.",
    },
    "backup.inconsistent": {
        "zh": "备份 {path} 中的数据与历史记录不一致,不能恢复:{problems}",
        "en": "The backup {path} holds data that disagrees with its history; it cannot be "
              "restored: {problems}",
    },
    "backup.done": {
        "zh": "已备份到 {path}({cases} 件,{people} 人,事务 {txn},{size})。保留最近 {keep} 份。",
        "en": "Backed up to {path} ({cases} {cases:case|cases}, {people} {people:person|people}, transaction {txn}, {size}). "
              "The newest {keep} are kept.",
    },
    "backup.list_header": {"zh": "{path} 中的备份(共 {n} 份):", "en": "Backups in {path} ({n}):"},
    "backup.list_line": {
        "zh": "{name}  {size}",
        "en": "{name}  {size}",
    },
    "backup.bad_keep": {"zh": "--keep 至少为 1。", "en": "--keep must be at least 1."},
    "backup.write_failed": {
        "zh": "无法写入备份目录 {path}({reason})。请检查磁盘空间和写权限。",
        "en": "Could not write to the backup folder {path} ({reason}). Check the free disk "
              "space and the permissions.",
    },
    "backup.none": {"zh": "还没有备份。", "en": "No backups yet."},
    # restore
    "restore.summary": {
        "zh": "将用备份 {name}(生成于 {created},{cases} 件,{people} 人,事务 {txn})"
              "替换数据目录 {path} 中的当前数据({now_cases} 件,事务 {now_txn})。"
              "当前数据会先另存为一份备份。",
        "en": "The backup {name} (taken {created}, {cases} {cases:case|cases}, {people} {people:person|people}, transaction "
              "{txn}) will replace the current data of {path} ({now_cases} {now_cases:case|cases}, transaction "
              "{now_txn}). The current data is saved as a backup first.",
    },
    "restore.confirm": {
        "zh": "确认恢复吗?请输入 yes 继续:",
        "en": "Restore it? Type yes to go on: ",
    },
    "restore.aborted": {"zh": "已取消,没有做任何修改。", "en": "Cancelled; nothing was changed."},
    "restore.done": {
        "zh": "已恢复:{cases} 件,{people} 人,事务 {txn}。检查通过。",
        "en": "Restored: {cases} {cases:case|cases}, {people} {people:person|people}, transaction {txn}. The check passed.",
    },
    "restore.safety": {
        "zh": "恢复前的数据已备份为 {path}。",
        "en": "The data as it was before the restore is saved as {path}.",
    },
    "restore.no_file": {"zh": "找不到备份文件 {path}。", "en": "No backup file {path}."},
    # duban check
    "check.ok": {
        "zh": "检查通过:{cases} 件,{people} 人,数据与历史记录一致。",
        "en": "All consistent: {cases} {cases:case|cases}, {people} {people:person|people}; the data and its history agree.",
    },
    "check.problems": {
        "zh": "发现 {n} 个问题:",
        "en": "{n} problems found:",
    },
    # a commit that could not be written, as the chat user reads it (bot/app.py on_error)
    "error.store_write": {
        "zh": "⚠️ 保存失败:服务器暂时无法写入数据(磁盘已满或数据目录只读)。"
              "您刚才的修改没有保存,之前的数据完好无损。问题已记录,请稍后重试。",
        "en": "⚠️ Could not save: the server cannot write its data right now (disk full or the "
              "data directory is read-only). Your change was NOT saved; the earlier data is "
              "intact. The problem has been logged; please try again later.",
    },
    # /health
    "health.title": {"zh": "<b>运行状态</b>", "en": "<b>Health</b>"},
    "health.uptime": {
        "zh": "已运行:{uptime}(自 {since} 起),处理消息 {updates} 条,最慢 {slowest} 毫秒",
        "en": "Up for {uptime} (since {since}); {updates} updates handled, the slowest took "
              "{slowest} ms",
    },
    "health.reminders": {
        "zh": "最近一次提醒:{day} {status}(开始 {started},结束 {finished});"
              "已发 {sent},待发 {pending},失败 {failed},无法送达 {unreachable}",
        "en": "Last reminder run: {day} {status} (started {started}, finished {finished}); "
              "sent {sent}, pending {pending}, failed {failed}, unreachable {unreachable}",
    },
    "health.reminders_none": {"zh": "最近一次提醒:尚未运行", "en": "Last reminder run: none yet"},
    "health.run.done": {"zh": "已完成", "en": "done"},
    "health.run.running": {"zh": "进行中", "en": "running"},
    "health.unreachable": {
        "zh": "无法送达的人员:{n} 人",
        "en": "People the bot cannot reach: {n}",
    },
    "health.unreachable_line": {"zh": " · {name}({reason})", "en": " · {name} ({reason})"},
    "health.unreachable_more": {"zh": " · ……另有 {n} 人", "en": " · … and {n} more"},
    "health.reason.blocked": {"zh": "已屏蔽机器人", "en": "blocked the bot"},
    "health.reason.not_started": {
        "zh": "从未打开机器人:请其在 Telegram 中打开机器人并点击“开始”(Start)",
        "en": "never started the bot: ask them to open the bot and press Start",
    },
    "health.reason.unlinked": {"zh": "未关联Telegram", "en": "no Telegram account linked"},
    "health.database": {
        "zh": "数据库:{cases} 件,{people} 人;数据库文件 {db}(含历史记录),"
              "待合并日志 {wal};磁盘剩余 {free}",
        "en": "Database: {cases} {cases:case|cases}, {people} {people:person|people}; database file {db} (history "
              "included), write-ahead log {wal}; free disk {free}",
    },
    "health.backup": {
        "zh": "最近备份:{name}(共 {n} 份)",
        "en": "Last backup: {name} ({n} kept)",
    },
    "health.backup_none": {"zh": "最近备份:无", "en": "Last backup: none"},
    "health.backup_failed": {
        "zh": "⚠️ 最近一次自动备份失败:{error}",
        "en": "⚠️ The last nightly backup failed: {error}",
    },
    "health.write_error": {
        "zh": "⚠️ 最近一次保存失败:{error}",
        "en": "⚠️ The last save failed: {error}",
    },
    "health.never": {"zh": "—", "en": "—"},
    "unit.days_hours": {"zh": "{d}天{h}小时{m}分", "en": "{d}d {h}h {m}m"},
    "unit.hours": {"zh": "{h}小时{m}分", "en": "{h}h {m}m"},
}
