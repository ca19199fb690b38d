"""The expected values, copied from /work/shared/store-policy.md (never from the code or from
store_config/): if a test using these fails, either the code or the owner's config disagrees
with the store's policy."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

# §1.1 First-kilogram fee by destination province (≤ 1 kg). 西藏/新疆: the specific 18元 row holds.
FIRST_KG_FEE: dict[str, Decimal] = {
    **dict.fromkeys(["广东", "上海", "浙江", "江苏"], Decimal(8)),
    **dict.fromkeys(["安徽", "福建", "江西", "湖北", "湖南", "广西", "海南"], Decimal(10)),
    **dict.fromkeys(["北京", "天津", "河北", "山西", "山东", "河南", "重庆", "四川", "贵州", "云南",
                     "陕西"], Decimal(12)),
    **dict.fromkeys(["内蒙古", "辽宁", "吉林", "黑龙江", "甘肃", "青海", "宁夏"], Decimal(15)),
    **dict.fromkeys(["西藏", "新疆"], Decimal(18)),
}
MAINLAND = tuple(FIRST_KG_FEE)                 # the 31 provincial-level divisions
HK_MACAO_TAIWAN = ("香港", "澳门", "台湾")       # EMS only, no EMS price in the handbook
ALL_REGIONS = MAINLAND + HK_MACAO_TAIWAN

# §1.3 Couriers.
AVAILABLE_COURIERS = {"汇通", "韵达", "EMS"}
DEFAULT_COURIERS = ("汇通", "韵达")
YUNDA_ONLY = {"黑龙江", "吉林", "辽宁", "内蒙古", "新疆", "西藏", "青海", "宁夏", "海南"}
EMS_ONLY = set(HK_MACAO_TAIWAN)
EMS_MAX_KG = Decimal("0.5")                    # ≤ 0.5 kg as EMS, 0.5–1 kg as E邮宝

# §1.2 / §9
FIRST_WEIGHT_KG = Decimal(1)
MAX_QUOTE_KG = Decimal(30)

# §4 / §9 Shipping and arrival.
CUTOFF = dt.time(16, 0)
ARRIVAL_DAYS = (2, 3)
REMOTE_EXTRA_DAYS = (1, 3)                     # the 15元 and 18元 zones
REMOTE = {p for p, fee in FIRST_KG_FEE.items() if fee in (Decimal(15), Decimal(18))}

# §9 Working hours for handoff due times: 09:00–18:00, no lunch break, half a working day.
WORKING_HOURS = (dt.time(9), dt.time(18))


def couriers_for(province: str) -> set[str]:
    """The courier(s) a parcel to `province` goes with (§1.3), before any unreachable-address EMS."""
    if province in EMS_ONLY:
        return {"EMS", "E邮宝"}
    if province in YUNDA_ONLY:
        return {"韵达"}
    return set(DEFAULT_COURIERS)


# §1.1 The ways a shopper names each region: (full name, short names, one-character abbreviations).
NAMES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "北京": ("北京市", ("北京",), ("京",)),
    "天津": ("天津市", ("天津",), ("津",)),
    "河北": ("河北省", ("河北",), ("冀",)),
    "山西": ("山西省", ("山西",), ("晋",)),
    "内蒙古": ("内蒙古自治区", ("内蒙古", "内蒙"), ("蒙",)),
    "辽宁": ("辽宁省", ("辽宁",), ("辽",)),
    "吉林": ("吉林省", ("吉林",), ("吉",)),
    "黑龙江": ("黑龙江省", ("黑龙江",), ("黑",)),
    "上海": ("上海市", ("上海",), ("沪",)),
    "江苏": ("江苏省", ("江苏",), ("苏",)),
    "浙江": ("浙江省", ("浙江",), ("浙",)),
    "安徽": ("安徽省", ("安徽",), ("皖",)),
    "福建": ("福建省", ("福建",), ("闽",)),
    "江西": ("江西省", ("江西",), ("赣",)),
    "山东": ("山东省", ("山东",), ("鲁",)),
    "河南": ("河南省", ("河南",), ("豫",)),
    "湖北": ("湖北省", ("湖北",), ("鄂",)),
    "湖南": ("湖南省", ("湖南",), ("湘",)),
    "广东": ("广东省", ("广东",), ("粤",)),
    "广西": ("广西壮族自治区", ("广西",), ("桂",)),
    "海南": ("海南省", ("海南",), ("琼",)),
    "重庆": ("重庆市", ("重庆",), ("渝",)),
    "四川": ("四川省", ("四川",), ("川", "蜀")),
    "贵州": ("贵州省", ("贵州",), ("黔", "贵")),
    "云南": ("云南省", ("云南",), ("滇", "云")),
    "西藏": ("西藏自治区", ("西藏",), ("藏",)),
    "陕西": ("陕西省", ("陕西",), ("陕", "秦")),
    "甘肃": ("甘肃省", ("甘肃",), ("甘", "陇")),
    "青海": ("青海省", ("青海",), ("青",)),
    "宁夏": ("宁夏回族自治区", ("宁夏",), ("宁",)),
    "新疆": ("新疆维吾尔自治区", ("新疆",), ("新",)),
    "香港": ("香港特别行政区", ("香港",), ("港",)),
    "澳门": ("澳门特别行政区", ("澳门",), ("澳",)),
    "台湾": ("台湾省", ("台湾",), ("台",)),
}

# The capital (or, for the municipalities and 港澳台, a well-known district) of each region.
CAPITALS: dict[str, str] = {
    "北京": "海淀", "天津": "滨海新区", "河北": "石家庄", "山西": "太原", "内蒙古": "呼和浩特",
    "辽宁": "沈阳", "吉林": "长春", "黑龙江": "哈尔滨", "上海": "浦东", "江苏": "南京",
    "浙江": "杭州", "安徽": "合肥", "福建": "福州", "江西": "南昌", "山东": "济南", "河南": "郑州",
    "湖北": "武汉", "湖南": "长沙", "广东": "广州", "广西": "南宁", "海南": "海口", "重庆": "万州",
    "四川": "成都", "贵州": "贵阳", "云南": "昆明", "西藏": "拉萨", "陕西": "西安", "甘肃": "兰州",
    "青海": "西宁", "宁夏": "银川", "新疆": "乌鲁木齐", "香港": "九龙", "澳门": "氹仔", "台湾": "台北",
}
