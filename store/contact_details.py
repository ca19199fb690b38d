"""Contact details and links in a text shoppers will read (store-policy §6: never a phone
number, QQ number, bank account or a link; staff are reached through the chat or 旺旺).

One check for every owner-written text: campaign texts (config.Promotions) and answers
(answers_file). Campaigns are stricter: they may not even name QQ or WeChat, while an answer may
say that the shop does not give them ("不在聊天里提供电话、QQ、微信"), as the shipped one does.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional

_NOT_DIGIT_BEFORE, _NOT_DIGIT_AFTER = r"(?<![0-9])", r"(?![0-9])"
_SEP = r"[\s\-]?"

# (pattern, what it is), first match wins; the text is NFKC-normalised first (１３８ → 138).
_DETAILS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.IGNORECASE), what) for p, what in (
    (r"https?://|www\.|(?<![-a-z0-9])[a-z0-9][-a-z0-9]*\.(?:com|cn|net|org|cc|top|xyz|io|me|info|vip|shop|tv)(?![a-z0-9])",
     "链接/网址"),
    (r"[a-z0-9._%+-]+@[a-z0-9-]+\.[a-z.]+", "邮箱地址"),
    (r"(?:qq|扣扣|企鹅)\s*号?(?:码)?\s*[:：]?\s*[0-9]{5,}", "QQ号"),
    (r"(?:微信|威信|薇信|v信|weixin|wechat|vx|wx)\s*号?\s*[:：]?\s*[a-z][-_a-z0-9]{5,19}", "微信号"),
    (_NOT_DIGIT_BEFORE + r"1[3-9][0-9]" + _SEP + r"[0-9]{4}" + _SEP + r"[0-9]{4}" + _NOT_DIGIT_AFTER, "手机号码"),
    (_NOT_DIGIT_BEFORE + r"[48]00" + _SEP + r"[0-9]{3}" + _SEP + r"[0-9]{4}" + _NOT_DIGIT_AFTER, "电话号码"),
    (_NOT_DIGIT_BEFORE + r"0[0-9]{2,3}" + _SEP + r"[0-9]{7,8}" + _NOT_DIGIT_AFTER, "电话号码"),
    (_NOT_DIGIT_BEFORE + r"[0-9]{4}(?:" + _SEP + r"[0-9]{4}){2,3}(?:" + _SEP + r"[0-9]{1,3})?" + _NOT_DIGIT_AFTER,
     "银行账号"),
    (r"[0-9]{7,}", "长串数字（电话、QQ号或账号）"),
))
_CHANNEL_WORDS = re.compile(r"qq|扣扣|微信|威信|薇信|v信|weixin|wechat|vx", re.IGNORECASE)


def contact_detail_in(text: str, *, channel_words: bool = False) -> Optional[str]:
    """What contact detail or link `text` carries, in Chinese ("手机号码", "链接/网址" …), or None.
    With channel_words, naming QQ or WeChat at all counts as one (campaign texts)."""
    plain = unicodedata.normalize("NFKC", text)
    for pattern, what in _DETAILS:
        if pattern.search(plain):
            return what
    if channel_words and _CHANNEL_WORDS.search(plain):
        return "QQ/微信"
    return None
