"""Private files (data/perms.py): what ``duban check`` says when others may read the data."""

MESSAGES = {
    "perms.warn": {
        "zh": "⚠️ 数据目录{path}中有{n}项其他用户可读写(数据库含按钮签名密钥,历史含人员信息)。"
              "机器人下次以写方式打开时会自动收紧;也可立即执行 chmod -R go= {path}",
        "en": "⚠️ {n} items in the data directory {path} are open to other users (the database "
              "holds the button-signing secret, the history names people). The bot tightens "
              "them when it next opens the data for writing; or run chmod -R go= {path} now",
    },
    "perms.line": {"zh": " · {path}:权限{mode},应为{want}", "en": " · {path}: mode {mode}, should be {want}"},
}
