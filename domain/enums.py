"""Enumerations defined once; labels are the Chinese words the clients show."""

from enum import StrEnum


class AccountStatus(StrEnum):
    active = "active"
    warned = "warned"
    banned = "banned"


ACCOUNT_STATUS_LABELS = {"active": "正常", "warned": "警告", "banned": "封禁"}


class Role(StrEnum):
    client = "client"
    artist = "artist"


ROLE_LABELS = {"client": "需求方", "artist": "艺人"}


class Industry(StrEnum):
    enterprise = "enterprise"
    wedding = "wedding"
    agency = "agency"
    bar_ktv_livehouse = "bar_ktv_livehouse"
    school = "school"
    government = "government"
    other = "other"


INDUSTRY_LABELS = {
    "enterprise": "企业",
    "wedding": "婚庆",
    "agency": "演艺经纪",
    "bar_ktv_livehouse": "酒吧KTV livehouse",
    "school": "学校",
    "government": "政府机构",
    "other": "其他",
}


class ArtistType(StrEnum):
    singer = "singer"
    dancer = "dancer"
    host = "host"
    band = "band"
    magician = "magician"
    crosstalk = "crosstalk"
    acrobat = "acrobat"
    other = "other"


ARTIST_TYPE_LABELS = {
    "singer": "歌手",
    "dancer": "舞者",
    "host": "主持人",
    "band": "乐队",
    "magician": "魔术师",
    "crosstalk": "相声",
    "acrobat": "杂技",
    "other": "其他",
}


class VerificationStatus(StrEnum):
    unverified = "unverified"
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class VerificationSubject(StrEnum):
    person = "person"
    organisation = "organisation"


class SlotStatus(StrEnum):
    available = "available"
    held = "held"
    booked = "booked"
    rest = "rest"
    unavailable = "unavailable"


# Calendar statuses that make a day unavailable for a new booking (available marks are not in the way).
BLOCKING_STATUSES = ("held", "booked", "rest", "unavailable")


CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "长沙", "苏州"]
