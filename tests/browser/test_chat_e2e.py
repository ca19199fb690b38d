"""A shopper and an agent in real headless Chromium against the whole stack (console app, Rasa
with the trained model, action server). Screenshots: test-artifacts/browser/*.png."""
from __future__ import annotations

import base64
import json
import re
import time

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.slow
BOT_WAIT_MS = 30_000           # the first answer loads the model's caches
TICKET_NUMBER = re.compile(r"\d{8}-\d{4}")
XSS = "<img src=x onerror=alert(1)>"


class ChatPage:
    """The shopper's side, in the words a shopper would use."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.log = page.get_by_test_id("chat-log")
        self.input = page.get_by_test_id("chat-input")

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.bubbles("shopper").filter(has_text=text).last).to_be_visible()

    def bubbles(self, sender: str):
        return self.log.locator(f".msg-{sender} .bubble")

    def answer_containing(self, pattern, sender: str = "bot"):
        bubble = self.bubbles(sender).filter(has_text=pattern).last
        expect(bubble).to_be_visible(timeout=BOT_WAIT_MS)
        return bubble.inner_text()

    def all_texts(self) -> list[str]:
        return self.log.locator(".msg .bubble").all_inner_texts()


def conversation_of(context) -> str:
    """The conversation id inside the shopper's (HttpOnly, signed) cookie."""
    value = next(c["value"] for c in context.cookies() if c["name"] == "chat_session")
    body = value.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["c"]


def wait_until(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def watch_for_problems(page: Page) -> list[str]:
    """Script errors, CSP violations and dialogs (an executed alert) all count as failures."""
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return problems


def test_shopper_gets_answers_a_ticket_and_the_agents_reply(browser, stack, artifacts):
    shopper_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                          timezone_id="Asia/Shanghai", device_scale_factor=2)
    page = shopper_context.new_page()
    problems = watch_for_problems(page)
    page.goto(stack.url + "/")
    chat = ChatPage(page)
    expect(page.get_by_test_id("store-name")).to_have_text("示例旗舰店")

    chat.say("寄到拉萨运费多少")
    assert "18元" in chat.answer_containing("18元")
    page.screenshot(path=artifacts / "01-fee-18yuan.png")

    chat.say("转人工")
    number = TICKET_NUMBER.search(chat.answer_containing(TICKET_NUMBER)).group()
    page.screenshot(path=artifacts / "02-handoff-ticket-number.png")

    before = chat.all_texts()
    page.reload()
    expect(chat.bubbles("shopper").first).to_be_visible()
    expect(chat.log.locator(".msg .bubble")).to_have_count(len(before))
    assert chat.all_texts() == before, "the whole history, once, in order"
    page.screenshot(path=artifacts / "03-after-reload.png")

    agent_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                        timezone_id="Asia/Shanghai")
    agent = agent_context.new_page()
    agent_problems = watch_for_problems(agent)
    agent.goto(stack.url + "/agent")
    expect(agent).to_have_url(re.compile(r"/agent/login$"))
    agent.get_by_label("用户名").fill("agent")
    agent.get_by_label("密码").fill(stack.agent_password)
    agent.get_by_role("button", name="登录").click()
    agent.get_by_role("link", name=number).click()
    expect(agent.get_by_test_id("transcript")).to_contain_text("寄到拉萨运费多少")
    expect(agent.get_by_test_id("transcript")).to_contain_text("18元")
    agent.screenshot(path=artifacts / "04-agent-ticket.png", full_page=True)
    reply = "您好，我是客服小美。寄到拉萨1公斤以内运费18元，已为您备注，请放心下单。"
    agent.get_by_test_id("reply-text").fill(reply)
    agent.get_by_test_id("reply-send").click()
    expect(agent.get_by_text("回复已发送给顾客")).to_be_visible()
    expect(agent.get_by_text("还没写入机器人的对话记录")).to_have_count(0)
    agent.screenshot(path=artifacts / "05-agent-replied.png", full_page=True)

    expect(chat.bubbles("agent").filter(has_text="客服小美")).to_be_visible(timeout=10_000)
    page.screenshot(path=artifacts / "06-shopper-sees-reply.png")
    assert wait_until(lambda: any(e.get("event") == "bot" and e.get("text") == reply
                                  and e.get("metadata", {}).get("agent") == "agent"
                                  for e in stack.rasa_history(conversation_of(shopper_context)))), \
        "the agent's reply is part of Rasa's conversation history"

    chat.say(XSS)
    expect(chat.bubbles("shopper").last).to_have_text(XSS)
    assert page.locator("#log img").count() == 0
    chat.answer_containing(re.compile(".+"), sender="bot")  # whatever the bot says, as text
    page.screenshot(path=artifacts / "07-markup-shown-as-text.png")

    assert problems == [] and agent_problems == []
    agent_context.close()
    shopper_context.close()


def test_enter_while_composing_chinese_does_not_send(browser, stack):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(stack.url + "/")
    chat = ChatPage(page)
    chat.input.fill("yun")
    # What an input method sends when Enter picks a candidate (Chrome: isComposing; Safari: 229).
    for init in ["{key: 'Enter', isComposing: true, bubbles: true}", "{key: 'Enter', keyCode: 229, bubbles: true}"]:
        page.evaluate(f"document.getElementById('input').dispatchEvent(new KeyboardEvent('keydown', {init}))")
    page.wait_for_timeout(300)
    expect(chat.bubbles("shopper")).to_have_count(0)
    expect(chat.input).to_have_value("yun")
    context.close()


def test_a_too_long_message_is_kept_in_the_input(browser, stack):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(stack.url + "/")
    chat = ChatPage(page)
    chat.input.fill("运" * 1001)
    chat.input.press("Enter")
    expect(page.get_by_test_id("hint")).to_contain_text("1000字")
    expect(chat.input).to_have_value("运" * 1001)
    expect(chat.bubbles("shopper")).to_have_count(0)
    context.close()


def test_a_message_written_offline_is_sent_once_when_back_online(browser, stack):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(stack.url + "/")
    chat = ChatPage(page)
    expect(page.locator("#status")).to_be_hidden()
    context.set_offline(True)
    expect(page.locator("#status")).to_contain_text("网络已断开")
    chat.input.fill("在吗")
    chat.input.press("Enter")
    expect(page.locator(".msg.pending")).to_have_count(1)
    context.set_offline(False)
    expect(page.locator(".msg.pending")).to_have_count(0, timeout=30_000)
    chat.answer_containing(re.compile(".+"))
    page.reload()
    chat.answer_containing(re.compile(".+"))
    expect(chat.bubbles("shopper").filter(has_text="在吗")).to_have_count(1)
    context.close()
