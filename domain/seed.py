"""Demo data for `make run` (Chinese, realistic). Idempotent: running it again adds nothing twice."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher, hash_password, mask_id_number, mask_name
from domain.accounts.verification import ID_CONTEXT, NAME_CONTEXT
from domain.models import (
    ArtistPrice,
    ArtistProfile,
    CalendarSlot,
    ClientProfile,
    Operator,
    RealNameVerification,
    User,
)
from domain.time import SHANGHAI, utc_now

OPERATOR = ("admin", "yanyue-admin", "平台运营")

CLIENTS = [
    ("13800000001", "星河科技有限公司", "enterprise", "王经理"),
    ("13800000002", "花嫁婚礼策划工作室", "wedding", "李策划"),
    ("13800000003", "声场 Livehouse", "bar_ktv_livehouse", "赵店长"),
]

# stage name, types, styles, city, price range in yuan, bio
ARTISTS = [
    ("林晚晴", ["singer"], ["流行", "抒情"], "北京", (6000, 15000), "音乐学院声乐系毕业，擅长年会与婚礼暖场演唱。"),
    ("陈默", ["singer"], ["民谣", "原创"], "成都", (3000, 8000), "民谣歌手，抱着吉他唱城市故事，常驻 livehouse。"),
    ("苏小野", ["singer"], ["摇滚", "流行"], "上海", (8000, 20000), "选秀出身，舞台爆发力强，适合品牌发布会。"),
    ("何雨桐", ["singer", "host"], ["爵士", "英文歌"], "深圳", (5000, 12000), "双语歌手兼主持，外企年会经验丰富。"),
    ("周一鸣", ["singer"], ["美声", "红歌"], "西安", (4000, 9000), "男高音，擅长政府与学校庆典演出。"),
    ("夏夜乐队", ["band"], ["流行摇滚", "翻唱"], "杭州", (15000, 30000), "五人乐队，年演出一百余场，酒吧驻唱与商演皆宜。"),
    ("回声计划", ["band"], ["后摇", "独立"], "北京", (12000, 25000), "独立乐队，多次参加音乐节。"),
    ("南城爵士四重奏", ["band"], ["爵士", "蓝调"], "上海", (10000, 22000), "适合酒会、晚宴与高端品牌活动的爵士四重奏。"),
    ("鼓浪乐团", ["band"], ["民族融合"], "武汉", (9000, 18000), "编钟与电声结合的民族融合乐团。"),
    ("舞韵团", ["dancer"], ["古典舞", "中国风"], "南京", (6000, 16000), "古典舞团队，可定制年会开场舞。"),
    ("Street Crew 街舞团", ["dancer"], ["街舞", "Breaking"], "广州", (5000, 12000), "街舞团队，擅长商场快闪与发布会暖场。"),
    ("拉丁之星", ["dancer"], ["拉丁舞", "国标"], "重庆", (4000, 9000), "国标拉丁舞双人组，婚礼与晚宴常客。"),
    ("韩菲儿", ["dancer"], ["爵士舞", "韩舞"], "长沙", (3000, 7000), "女子舞蹈组合，活力开场秀。"),
    ("孙浩然", ["host"], ["年会主持", "颁奖典礼"], "北京", (8000, 20000), "前电视台主持人，主持上百场企业年会。"),
    ("刘思琪", ["host"], ["婚礼主持", "双语"], "上海", (5000, 12000), "温暖细腻的婚礼主持人，中英双语。"),
    ("张大伟", ["host"], ["活动主持", "暖场"], "广州", (3000, 8000), "幽默接地气的活动主持，擅长互动游戏。"),
    ("王欣然", ["host"], ["晚会主持", "校园"], "武汉", (2500, 6000), "校园晚会与政府活动主持经验丰富。"),
    ("奇幻魔术师阿杰", ["magician"], ["近景魔术", "舞台魔术"], "深圳", (5000, 15000), "近景与舞台魔术兼备，亲子活动口碑好。"),
    ("刘谦谦", ["magician"], ["互动魔术"], "杭州", (4000, 10000), "擅长与观众互动的魔术表演。"),
    ("幻影", ["magician"], ["大型幻术"], "成都", (12000, 30000), "大型舞台幻术，适合晚会压轴。"),
    ("德云小剧场·李明", ["crosstalk"], ["对口相声", "贯口"], "北京", (6000, 15000), "传统相声演员，擅长贯口与现挂。"),
    ("笑笑组合", ["crosstalk"], ["相声", "小品"], "西安", (5000, 12000), "相声小品组合，年会笑点担当。"),
    ("郭小乐", ["crosstalk"], ["单口相声", "脱口秀"], "南京", (3000, 8000), "单口相声与脱口秀，企业内训活动常客。"),
    ("吴桥杂技团", ["acrobat"], ["传统杂技", "顶碗"], "重庆", (10000, 25000), "传承吴桥技艺，适合大型庆典。"),
    ("飞天空中秀", ["acrobat"], ["空中绸吊", "高空杂技"], "广州", (15000, 35000), "空中绸吊与高空杂技表演团队。"),
    ("小石头", ["acrobat", "magician"], ["滑稽杂技"], "长沙", (3000, 7000), "滑稽杂技加魔术，亲子与商场活动。"),
    ("沙画师阿岚", ["other"], ["沙画", "定制"], "杭州", (5000, 12000), "现场沙画定制，年会回顾与婚礼故事。"),
    ("变脸王", ["other"], ["川剧变脸"], "成都", (4000, 10000), "川剧变脸与吐火，传统文化展示。"),
    ("梁小提琴", ["other", "singer"], ["小提琴", "古典"], "上海", (4000, 9000), "小提琴独奏与伴奏，酒会与婚礼。"),
    ("钢琴诗人", ["other"], ["钢琴", "古典", "流行改编"], "深圳", (3000, 8000), "钢琴演奏，可为开场与晚宴伴奏。"),
    ("黄河合唱团", ["singer"], ["合唱", "红歌"], "西安", (8000, 18000), "三十人合唱团，庆典与政府活动。"),
    ("古筝姑娘", ["other"], ["古筝", "国风"], "苏州", (2500, 6000), "古筝演奏，茶会、婚礼与文化活动。"),
]

PRICE_LINES = [("标准演出", 30, 1.0), ("加长演出", 60, 1.6)]


def _id_number(rng: random.Random) -> str:
    body = f"{rng.choice(['110101', '310101', '440106', '510104'])}19{rng.randint(70, 99)}" \
           f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _verify(session: Session, cipher: FieldCipher, user: User, name: str, rng: random.Random) -> None:
    id_number = _id_number(rng)
    session.add(RealNameVerification(
        user_id=user.id, subject="person", legal_name_cipher=cipher.encrypt(name, context=NAME_CONTEXT),
        legal_name_masked=mask_name(name), id_number_cipher=cipher.encrypt(id_number, context=ID_CONTEXT),
        id_number_hash=cipher.lookup_hash(id_number), id_number_masked=mask_id_number(id_number),
        status="verified", provider="seed", decided_at=utc_now()))
    user.verification_status = "verified"


def _calendar(session: Session, artist_id: int, rng: random.Random) -> None:
    today = utc_now().astimezone(SHANGHAI).date()
    for offset in sorted(rng.sample(range(2, 60), 6)):
        day = today + timedelta(days=offset)
        start = datetime.combine(day, time(19, 0), SHANGHAI)
        status = rng.choice(["booked", "rest", "unavailable"])
        if status == "rest":
            start, end = datetime.combine(day, time(0, 0), SHANGHAI), datetime.combine(
                day + timedelta(days=1), time(0, 0), SHANGHAI)
        else:
            end = start + timedelta(hours=3)
        session.add(CalendarSlot(artist_id=artist_id, period=Range(start, end), status=status,
                                 note={"booked": "已有演出", "rest": "休息", "unavailable": "外地行程"}[status]))


def seed(session: Session, cipher: FieldCipher) -> dict[str, int]:
    rng = random.Random(20261124)  # noqa: S311 - demo data, not security
    created = {"operators": 0, "clients": 0, "artists": 0}
    if session.scalar(select(Operator).where(Operator.username == OPERATOR[0])) is None:
        session.add(Operator(username=OPERATOR[0], password_hash=hash_password(OPERATOR[1]),
                             display_name=OPERATOR[2]))
        created["operators"] += 1
    for i, (phone, org, industry, contact) in enumerate(CLIENTS):
        if session.scalar(select(User.id).where(User.phone == phone)):
            continue
        user = User(phone=phone)
        session.add(user)
        session.flush()
        session.add(ClientProfile(user_id=user.id, org_name=org, industry=industry, contact_name=contact,
                                  contact_phone=phone))
        if i < 2:
            _verify(session, cipher, user, contact[0] + "晓明", rng)
        created["clients"] += 1
    for i, (name, types, styles, city, (lo, hi), bio) in enumerate(ARTISTS, start=1):
        phone = f"139{i:08d}"
        if session.scalar(select(User.id).where(User.phone == phone)):
            continue
        user = User(phone=phone)
        session.add(user)
        session.flush()
        session.add(ArtistProfile(user_id=user.id, stage_name=name, artist_types=types, styles=styles,
                                  city=city, contact_phone=phone, contact_wechat=None, bio=bio))
        session.flush()
        for title, minutes, factor in PRICE_LINES:
            session.add(ArtistPrice(artist_id=user.id, title=title, duration_minutes=minutes,
                                    min_amount=int(lo * factor) * 100, max_amount=int(hi * factor) * 100,
                                    negotiable=i % 3 == 0))
        if i % 4 != 0:
            _verify(session, cipher, user, "艺人" + name[:1] + "某", rng)
        _calendar(session, user.id, rng)
        created["artists"] += 1
    session.flush()
    return created
