"""Documents on a case: attaching files and links, listing them, getting them back."""

MESSAGES = {
    "doc.type.reply": {"zh": "复文", "en": "reply letter"},
    "doc.type.draft": {"zh": "草稿", "en": "draft"},
    "doc.type.consultation": {"zh": "协商记录", "en": "consultation record"},
    "doc.type.publication": {"zh": "公开证明", "en": "publication proof"},
    "doc.type.other": {"zh": "其他", "en": "other"},
    "field.documents": {"zh": "附件", "en": "documents"},
    "field.doc_type": {"zh": "附件类型", "en": "document type"},
    "field.doc_name": {"zh": "文件名", "en": "file name"},
    "field.doc_format": {"zh": "文件格式", "en": "file format"},
    "field.doc_url": {"zh": "链接", "en": "link"},
    "err.doc_file_or_link": {"zh": "附件应是一个文件或一个链接,二者取一。",
                             "en": "A document is either a file or a link."},
    "err.doc_bad_hash": {"zh": "附件的哈希“{value}”无效。", "en": "“{value}” is not a SHA-256."},
    "doc.n_documents": {"zh": "{n}件", "en": "{n:document|documents}"},
    "doc.history_note": {"zh": "{type}:{name}", "en": "{type}: {name}"},
    "doc.too_big": {
        "zh": "文件有 {mb} MB,超过 Telegram 允许机器人接收的 {limit} MB,无法附上。"
              "请压缩或拆分后再发送(如扫描件降低分辨率、分成几个 PDF),"
              "或把文件发布到网站后,按[附件]发送链接(https://…)代替。",
        "en": "The file is {mb} MB, more than the {limit} MB Telegram lets a bot receive: it "
              "cannot be attached. Compress or split it (e.g. scan at a lower resolution, several "
              "PDFs) and send it again, or publish it and send its link (https://…) after [附件].",
    },
    "doc.too_big_unknown": {
        "zh": "Telegram 不让机器人取得这个文件:超过 {limit} MB。请压缩或拆分后再发送,或发送链接代替。",
        "en": "Telegram will not let the bot fetch this file: it is over {limit} MB. Compress or "
              "split it and send it again, or send a link instead.",
    },
    "doc.empty": {"zh": "这个文件是空的,未附上。", "en": "The file is empty; nothing attached."},
    "doc.bad_type": {
        "zh": "无法附上:这个文件的内容不是可接受的格式(按内容判断,不看文件名)。"
              "可以附上:{accepted}。请另存为其中一种格式(如 PDF)后再发送。",
        "en": "Not attached: the file's content is not an accepted format (judged by content, "
              "not by name). Accepted: {accepted}. Save it as one of them (e.g. PDF) and send "
              "it again.",
    },
    "doc.bad_link": {
        "zh": "“{value}”不是有效的网址。请发送以 http:// 或 https:// 开头的完整网址,"
              "例如 https://www.example.gov.cn/art/2020/7/15/1.html",
        "en": "“{value}” is not a valid address. Send a full address starting with http:// or "
              "https://, e.g. https://www.example.gov.cn/art/2020/7/15/1.html",
    },
    "doc.link_too_long": {"zh": "网址太长(最多 {limit} 个字符)。",
                          "en": "The address is too long (at most {limit} characters)."},
    "doc.bad_doc_type": {"zh": "附件类型无效。", "en": "Not a document type."},
    "doc.duplicate": {"zh": "这个文件已于 {at} 附在本件上(《{name}》),未重复保存。",
                      "en": "This file was attached to the case on {at} already ({name}); "
                            "not saved twice."},
    "doc.too_many": {"zh": "一件最多附 {n} 个附件。", "en": "A case holds at most {n} documents."},
    "doc.card.header": {"zh": "附件({n}):", "en": "Documents ({n}):"},
    "doc.card.more": {"zh": " · 另有 {n} 个,发送 /files {number} 查看全部",
                      "en": " · {n} more: /files {number} lists them all"},
    "doc.line_file": {"zh": "{type}《{name}》{size} {at} {by}",
                      "en": "{type} “{name}” {size} {at} {by}"},
    "doc.line_link": {"zh": "{type} 链接 {url} {at} {by}", "en": "{type} link {url} {at} {by}"},
    "doc.btn.attach": {"zh": "📎 附件", "en": "📎 Attach"},
    "doc.btn.files": {"zh": "📂 文件({n})", "en": "📂 Files ({n})"},
    "doc.btn.cancel": {"zh": "取消", "en": "Cancel"},
    "doc.btn.back": {"zh": "返回办件", "en": "Back to the case"},
    "doc.prompt": {
        "zh": "请发送要附在{title}上的文件({accepted},不超过 {limit} MB),"
              "或发送公开网址(https://…)。10 分钟内有效。",
        "en": "Send the file to attach to {title} ({accepted}, at most {limit} MB), or its "
              "publication address (https://…). Valid for 10 minutes.",
    },
    "doc.choose_type": {"zh": "{title}:收到《{name}》({size})。这是什么材料?",
                        "en": "{title}: received “{name}” ({size}). What is it?"},
    "doc.choose_type_link": {"zh": "{title}:收到链接 {url}。这是什么材料?",
                             "en": "{title}: received the link {url}. What is it?"},
    "doc.cancelled": {"zh": "已取消,未附上。", "en": "Cancelled; nothing attached."},
    "doc.expired": {"zh": "这个文件已过期,请重新发送。",
                    "en": "This file has expired; please send it again."},
    "doc.saved": {"zh": "已附上:{title} {type}《{name}》。",
                  "en": "Attached to {title}: {type} “{name}”."},
    "doc.saved_link": {"zh": "已记录:{title} {type} 链接 {url}。",
                       "en": "Recorded on {title}: {type} link {url}."},
    "doc.list_header": {"zh": "{title}的附件({n}个),点按钮取回文件:",
                        "en": "Documents of {title} ({n}); press a button to get a file:"},
    "doc.none": {"zh": "{title}还没有附件。在办件卡片上按[📎 附件]添加。",
                 "en": "{title} has no documents yet. Press [📎 Attach] on its card to add one."},
    "doc.files_usage": {"zh": "用法:/files 编号,例如 /files 0484",
                        "en": "Usage: /files NUMBER, e.g. /files 0484"},
    "doc.file_gone": {"zh": "这个附件已不在本件上,请重新打开列表。",
                      "en": "That document is no longer on the case; open the list again."},
    "doc.file_missing": {"zh": "文件已丢失或损坏,无法发送。请告知办公室运行 duban check。",
                         "en": "The file is missing or damaged and cannot be sent. Ask the "
                               "office to run duban check."},
    "doc.sent_caption": {"zh": "{title} {type}《{name}》", "en": "{title} {type} “{name}”"},
    "doc.download_failed": {"zh": "无法从 Telegram 取得这个文件,请稍后重新发送。",
                            "en": "Could not fetch the file from Telegram; send it again later."},
    "check.file_missing": {
        "zh": "{kind}第{number}号({year}年)的附件《{name}》缺失:{path}",
        "en": "{kind} no. {number} ({year}): document “{name}” is missing: {path}",
    },
    "check.file_damaged": {
        "zh": "{kind}第{number}号({year}年)的附件《{name}》已损坏(内容与哈希 {sha}… 不符):{path}",
        "en": "{kind} no. {number} ({year}): document “{name}” is damaged (content does not "
              "match its hash {sha}…): {path}",
    },
    "check.files_ok": {"zh": "附件文件:{n} 个,均完好。", "en": "Document files: {n}, all intact."},
    "backup.files_included": {"zh": "含附件文件 {n} 个。", "en": "Document files included: {n}."},
    "export.with_files": {
        "zh": "已写入 {path}:台账,附件文件 {files} 个、链接 {links} 个(按编号分文件夹)。",
        "en": "Wrote {path}: the ledger, {files} document files and {links} links (in folders "
              "by case number).",
    },
    "export.files_missing": {
        "zh": "有 {n} 个附件文件缺失或损坏,未写入;请运行 duban check。",
        "en": "{n} document files are missing or damaged and were left out; run duban check.",
    },
}
