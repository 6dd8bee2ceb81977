"""Messages of the durable store (data/) and of its consistency check."""

MESSAGES = {
    "store.locked": {
        "zh": "数据目录 {path} 正被另一个 duban 进程(pid {pid})使用,不能同时打开。"
              "请先停止那个进程;只读命令(如预览、导出)可以照常使用。",
        "en": "The data directory {path} is in use by another duban process (pid {pid}) and "
              "cannot be opened twice. Stop that process first; read-only commands (dry runs, "
              "exports) still work.",
    },
    "store.write_failed": {
        "zh": "保存失败:无法写入 {path}({reason})。本次修改没有生效,数据库保持上一次保存的状态。"
              "请检查磁盘空间和数据目录的写权限后重试。",
        "en": "Could not save: writing {path} failed ({reason}). This change was not applied; "
              "the database is as it was after the last save. Check the free disk space and the "
              "data directory's permissions, then try again.",
    },
    "store.open_failed": {
        "zh": "无法打开数据目录 {path}({reason})。请检查该目录是否存在、可写,以及磁盘空间。"
              "只读命令可加只读方式打开。",
        "en": "Cannot open the data directory {path} ({reason}). Check that it exists and is "
              "writable, and the free disk space. Read-only commands can open it read-only.",
    },
    "store.readonly": {
        "zh": "数据目录 {path} 以只读方式打开,不能修改。",
        "en": "The data directory {path} was opened read-only; nothing can be changed.",
    },
    "store.schema_newer": {
        "zh": "数据库 {path} 由较新版本的 duban 写入(数据格式版本 {found},本程序只支持到 {supported})。"
              "请升级 duban 后再打开。",
        "en": "The database {path} was written by a newer duban (schema version {found}; this "
              "one supports up to {supported}). Upgrade duban to open it.",
    },
    "store.corrupt": {
        "zh": "数据目录中的文件 {path} 已损坏或不完整:{reason}。请从备份恢复,或联系管理员。",
        "en": "The file {path} of the data directory is damaged or incomplete: {reason}. "
              "Restore it from a backup or ask the administrator.",
    },
    "store.txn_aborted": {
        "zh": "操作中途出错,整组修改已全部撤销,没有保存任何内容。",
        "en": "A step of this operation failed, so all of its changes were undone; nothing "
              "was saved.",
    },
    "store.unknown_case": {
        "zh": "找不到编号为 {id} 的记录(件),无法保存。",
        "en": "There is no case with id {id}; nothing was saved.",
    },
    "store.unknown_person": {
        "zh": "找不到编号为 {id} 的人员,无法保存。",
        "en": "There is no person with id {id}; nothing was saved.",
    },
    "store.duplicate_case": {
        "zh": "{kind}第{number}号({year}年,{session})已经登记过(记录 {id}),不能重复登记。",
        "en": "{kind} no. {number} ({year}, {session}) is registered already (record {id}); "
              "it cannot be registered twice.",
    },
    "store.duplicate_telegram": {
        "zh": "Telegram 账号 {telegram} 已关联给 {name},一个账号只能对应一个人。",
        "en": "Telegram account {telegram} is linked to {name} already; an account belongs to "
              "one person only.",
    },
    "store.stale_case": {
        "zh": "这件在您编辑期间已被他人修改(您看到的是第 {expected} 版,现在是第 {actual} 版)。"
              "请重新打开后再修改。",
        "en": "Someone changed this case while you were editing it (you saw version "
              "{expected}, it is now version {actual}). Open it again and redo your change.",
    },
    # duban check: problems store.verify() finds
    "check.integrity": {
        "zh": "数据库文件自检(SQLite integrity_check)发现问题:{detail}。请从备份恢复。",
        "en": "The database file failed SQLite's integrity check: {detail}. Restore a backup.",
    },
    "check.bad_journal_line": {
        "zh": "历史记录第 {line} 行无法读取。",
        "en": "History line {line} cannot be read.",
    },
    "check.journal_order": {
        "zh": "历史记录第 {line} 行的事务号 {txn} 小于前一行,记录顺序错乱。",
        "en": "History line {line} has transaction {txn}, lower than the line before it.",
    },
    "check.journal_ahead": {
        "zh": "历史记录第 {line} 行属于尚未提交的事务 {txn}。",
        "en": "History line {line} belongs to transaction {txn}, which was never committed.",
    },
    "check.unknown_case": {
        "zh": "历史记录第 {line} 行指向不存在的件(记录 {id})。",
        "en": "History line {line} names case {id}, which does not exist.",
    },
    "check.unknown_person": {
        "zh": "历史记录第 {line} 行指向不存在的人员(编号 {id})。",
        "en": "History line {line} names person {id}, who does not exist.",
    },
    "check.no_created": {
        "zh": "件(记录 {id},第{number}号)没有“登记”历史记录。",
        "en": "Case {id} (no. {number}) has no 'created' history event.",
    },
    "check.double_created": {
        "zh": "件(记录 {id})有多条“登记”历史记录。",
        "en": "Case {id} has more than one 'created' history event.",
    },
    "check.history_mismatch": {
        "zh": "件(记录 {id},第{number}号)的“{field}”与历史记录不一致。",
        "en": "Case {id} (no. {number}): “{field}” disagrees with its history.",
    },
    "check.bad_case": {
        "zh": "件(记录 {id})的数据无效:{error}",
        "en": "Case {id} holds invalid data: {error}",
    },
    "check.bad_person": {
        "zh": "人员(编号 {id})的数据无效:{error}",
        "en": "Person {id} holds invalid data: {error}",
    },
    "check.duplicate_case": {
        "zh": "记录 {id} 与记录 {other} 是同一件(第{number}号),重复登记。",
        "en": "Records {id} and {other} are the same case (no. {number}), registered twice.",
    },
    "check.index_mismatch": {
        "zh": "件(记录 {id})的检索字段与其数据不一致(数据库文件可能已损坏):按编号、承办人或处室查找时可能漏掉此件。请用 duban restore 恢复最近的备份。",
        "en": "Case {id}: its indexed fields disagree with its data (the database file may be "
              "damaged): lookups by number, handler or division may miss it. Restore the "
              "latest backup with duban restore.",
    },
    "check.duplicate_telegram": {
        "zh": "人员 {id} 与人员 {other} 绑定了同一个 Telegram 账号 {telegram}。",
        "en": "People {id} and {other} are linked to the same Telegram account {telegram}.",
    },
}
