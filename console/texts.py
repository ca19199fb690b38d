"""What the console itself says to shoppers in Chinese (input problems, the page's status lines);
the handoff texts are the owner's, in store_config/replies.yml; page labels live in the templates."""

MAX_MESSAGE_CHARS = 1000

EMPTY = "请输入内容后再发送。"
TOO_LONG = f"消息超过{MAX_MESSAGE_CHARS}字，没有发送。内容还在输入框里，请删减后再发。"
NOT_SAVED = "消息没有保存成功，请稍后再发一次。"
# A socket event the page never sends (missing or wrong fields, unknown event): a client out of date.
BAD_REQUEST = "请求格式不对，请刷新页面后再试。"

# Shown by the page's script (passed to it as JSON data, not code).
CLIENT = {
    "empty": EMPTY,
    "tooLong": TOO_LONG,
    "maxChars": MAX_MESSAGE_CHARS,
    "connecting": "正在连接…",
    "offline": "网络已断开，正在重新连接。没发出的消息会在连上后自动发送。",
    "expired": "会话已失效，请刷新页面。",
    "sending": "发送中",
    "failed": "未发送，将自动重试",
    "waiting": "稍后自动发送",
    "senders": {"shopper": "我", "bot": "智能助手", "agent": "人工客服", "system": "系统消息"},
}

FACTS = {"province": "省份", "place": "地点", "weight": "重量", "order_id": "订单号", "question": "问题", "intent": "意图",
         "last_topic": "上一个话题", "bargain_count": "讲价次数"}

# The login and password pages of the agent inbox and the owner console (console/login_views.py).
LOGIN = {
    "expired_form": "页面已过期，请重新登录。",
    "bad_credentials": "用户名或密码不正确。",
    "too_many": "登录失败次数过多，为保护账号安全，请{wait}后再试。",
    "unavailable": "暂时无法登录，请稍后再试。",
    "seconds": "{n}秒",
    "minutes": "{n}分钟",
    "current_wrong": "当前密码不正确。",
    "too_short": "新密码至少要{n}个字符。",
    "differ": "两次输入的新密码不一样。",
    "unchanged": "新密码不能和当前密码一样。",
}
