"""What the console says to shoppers in Chinese; the page's own labels live in the templates."""

MAX_MESSAGE_CHARS = 1000

EMPTY = "请输入内容后再发送。"
TOO_LONG = f"消息超过{MAX_MESSAGE_CHARS}字，没有发送。内容还在输入框里，请删减后再发。"
NOT_SAVED = "消息没有保存成功，请稍后再发一次。"

BOT_UNAVAILABLE_NEW = ("抱歉，智能助手暂时无法回复。您的消息已经保存，已为您转人工客服，"
                       "工单号 {number}。客服会在{due}回复您，回复会显示在这个页面，您也可以稍后回来查看。")
BOT_UNAVAILABLE_AGAIN = "智能助手仍暂时无法回复。您的消息已补充到工单 {number}，客服会在{due}回复您。"
OVERDUE = "尽快"  # an older ticket already past its due time
HANDOFF_FAILED = "抱歉，系统暂时出了问题，您的消息已经保存，请稍后再来看看。"

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
    "senders": {"shopper": "我", "bot": "智能助手", "agent": "人工客服", "system": "系统消息"},
}

# Why a ticket was opened (reason names used by actions/ and the console), for the agent inbox;
# an unknown reason shows as its name.
REASONS = {
    "bot_unavailable": "机器人无法回复",
    "request_human": "顾客要求转人工",
    "complaint": "投诉",
    "return": "退换货/商品损坏",
    "repeated_fallback": "机器人连续没听懂",
    "action_failed": "机器人出错",
    "invoice_manager": "发票问题，需店长处理",
    "quote_ems_unpriced": "需要人工报价（EMS）",
    "quote_continued_unpriced": "需要人工报价（超重续重）",
    "quote_too_heavy": "需要人工报价（超过可报价重量）",
}

FACTS = {"province": "省份", "place": "地点", "weight": "重量", "question": "问题", "intent": "意图",
         "last_topic": "上一个话题", "bargain_count": "讲价次数"}
