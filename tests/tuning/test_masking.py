"""Personal data out of a training example; weights, money, dates and places stay."""
import pytest

from tuning import Masker, mask

MASKED = [
    # (typed, saved, what was masked)
    ("我手机13812345678 帮查下", "我手机138****5678 帮查下", "手机号"),
    ("电话 139 1234 5678 收件人小王", "电话 138****5678 收件人小王", "手机号"),
    ("收件人电话186-1234-5678", "收件人电话138****5678", "手机号"),
    ("+86 15912345678 打这个", "138****5678 打这个", "手机号"),
    ("座机010-62345678 找我", "座机0571-8888**** 找我", "电话"),
    ("打0755 2345 6789也行", "打0571-8888****也行", "电话"),
    ("订单号4456718293012345 麻烦看下发没发", "订单号1234567890123456 麻烦看下发没发", "订单号"),
    ("7728391046573820 这单发错货了", "1234567890123456 这单发错货了", "订单号"),
    ("京东订单4018293746 什么时候退钱", "京东订单1234567890 什么时候退钱", "订单号"),
    ("订单号是13812345678", "订单号是12345678901", "订单号"),   # a mobile-like number called the order number
    ("快递单号SF1234567890123 到哪了", "快递单号YT1234567890123 到哪了", "快递单号"),
    ("身份证110101199003074512 要登记吗", "身份证110101********1234 要登记吗", "身份证号"),
    ("身份证号44030119851231002X", "身份证号110101********1234", "身份证号"),
    ("发票发到zhang.san@qq.com", "发票发到abc@example.com", "邮箱"),
    ("加我QQ 12345678 聊", "加我QQ 10001 聊", "QQ号"),
    ("微信号: zhangsan_88", "微信号: wxid_abc123", "微信号"),
    ("寄到乌鲁木齐解放北路88号 运费多少", "寄到乌鲁木齐某某路1号 运费多少", "地址"),
    ("收货地址是湖北省武汉市洪山区珞喻路1037号 2公斤多少钱", "收货地址是湖北省武汉市洪山区某某路1号 2公斤多少钱", "地址"),
    ("浙江省杭州市西湖区文三路88号阳光小区3栋2单元502室", "浙江省杭州市西湖区某某路1号某某小区1栋1单元101室", "地址"),
    ("广东省中山市中山路12号", "广东省中山市某某路1号", "地址"),
    ("北京市海淀区中关村大街27号 能到吗", "北京市海淀区某某大街1号 能到吗", "地址"),
    ("上海浦东新区世纪大道100号 发顺丰", "上海浦东新区某某大道1号 发顺丰", "地址"),
    ("南京鼓楼区幸福小区5号楼3单元201", "南京鼓楼区某某小区1栋1单元101室", "地址"),
    ("放3栋2单元502 门口就行", "放1栋1单元101室 门口就行", "地址"),
    ("成都武侯区科华北路65号-3 寄2斤", "成都武侯区某某路1号 寄2斤", "地址"),
]

KEPT = [
    "寄到乌鲁木齐运费多少", "2公斤到北京多少钱邮费", "寄新疆18元吗", "运费12块 能便宜吗", "11月25号能到吗",
    "双11有活动吗 满300减30", "东西一直在路上 我们小区不让进", "上午10:30下单的", "618买的 7天无理由",
    "88vip包邮吗 买3件", "1.5kg的货寄大连", "500g发厦门", "周五前能到新疆吗", "今天天气真好 适合出门逛街",
    "尾号2938那单", "订单后四位xxxx 到哪了", "收件人手机138****5678 帮我查一下快递", "发什么快递 韵达吗",
    "2026年12月1号之前能到吗", "第3件半价吗", "给我打个9折", "送到5号线地铁站可以吗", "买了2000块钱的东西",
    "这个杯子350ml吗",
]


@pytest.mark.parametrize("typed,saved,kind", MASKED)
def test_personal_data_is_masked_with_a_natural_fake(typed, saved, kind):
    result = mask(typed)
    assert result.text == saved
    assert kind in result.kinds and result.changed


@pytest.mark.parametrize("text", KEPT)
def test_weights_money_dates_places_and_masked_numbers_are_kept(text):
    result = mask(text)
    assert result.text == text and not result.changed


def test_the_destination_survives_an_address_that_runs_into_it():
    assert mask("新疆乌鲁木齐天山区人民路12号").text == "新疆乌鲁木齐天山区某某路1号"
    assert mask("寄到乌鲁木齐人民路12号").text == "寄到乌鲁木齐某某路1号"


def test_without_place_names_the_street_name_is_still_masked():
    # with no gazetteer the walk-back stops at 6 characters: the number always goes
    assert "88号" not in Masker(places=[]).mask("寄到乌鲁木齐解放北路88号").text


def test_masking_twice_changes_nothing():
    for typed, saved, _ in MASKED:
        assert mask(saved).text == saved
