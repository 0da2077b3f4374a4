"""Demo data for `make run` (Chinese, realistic). Idempotent: running it again adds nothing twice."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import Range, insert
from sqlalchemy.orm import Session

from domain.accounts import roles
from domain.accounts.crypto import FieldCipher, hash_password, mask_id_number, mask_name
from domain.accounts.verification import ID_CONTEXT, NAME_CONTEXT
from domain.chat.service import seed_demo_conversation
from domain.models import (
    ArtistPrice,
    ArtistProfile,
    ArtistTag,
    CalendarSlot,
    CaseMedia,
    ClientProfile,
    MediaCase,
    Operator,
    RealNameVerification,
    Tag,
    Upload,
    User,
)
from domain.support import help
from domain.time import SHANGHAI, utc_now
from storage.base import ObjectStorage
from storage.media import MediaKind, store_media

OPERATOR = ("admin", "yanyue-admin", "平台运营")

DEMO_CHAT = [
    ("client", "刘老师您好，我们有一场十月的户外婚礼想请您主持，大约150位宾客。"),
    ("artist", "您好！十月的周末我还有几天空档，婚礼是中式还是西式流程？"),
    ("client", "西式草坪婚礼，新人希望仪式部分中英双语。"),
    ("artist", "没问题，双语主持是我的强项。您可以在我的主页直接发起预约，我来报价。"),
]

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


MARKED_DAYS = range(2, 60)  # the days after the seeding on which it marks artists' calendars


def _calendar(session: Session, artist_id: int, rng: random.Random) -> None:
    today = utc_now().astimezone(SHANGHAI).date()
    for offset in sorted(rng.sample(MARKED_DAYS, 6)):
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


# Travel regions are chosen from the same city list the profile editor offers (domain.enums.CITIES).
NEARBY = {"北京": ["上海", "西安"], "上海": ["苏州", "杭州", "南京"], "成都": ["重庆", "西安"], "深圳": ["广州", "长沙"],
          "西安": ["成都", "北京"], "杭州": ["上海", "苏州"], "武汉": ["长沙", "南京"], "南京": ["上海", "苏州"],
          "广州": ["深圳", "长沙"], "重庆": ["成都"], "长沙": ["武汉", "广州"], "苏州": ["上海", "杭州", "南京"]}
WORKS = {
    "singer": ["年度企业年会开场演唱", "城市草坪音乐节", "新品发布会主题曲演唱"],
    "band": ["音乐节主舞台演出", "品牌发布会现场乐队", "Livehouse 专场巡演"],
    "dancer": ["春节联欢晚会开场舞", "商场周年庆快闪", "品牌晚宴舞蹈秀"],
    "host": ["年度颁奖典礼主持", "百人婚礼主持", "企业年会全场主持"],
    "magician": ["亲子嘉年华魔术秀", "企业年会近景魔术", "商场周末魔术专场"],
    "crosstalk": ["新春相声专场", "企业年会相声表演", "剧场周末相声大会"],
    "acrobat": ["国庆庆典杂技表演", "主题乐园驻场演出", "开业庆典空中秀"],
    "other": ["品牌晚宴现场表演", "文化节非遗展演", "婚礼仪式现场演奏"],
}
TRAVEL_TERMS = ["本市演出无需额外费用；外地演出需承担往返交通与一晚住宿。",
                "省内高铁可达城市均可前往，交通食宿由主办方承担。",
                "全国可接，提前两周确认行程；外地演出另收半天差旅费。"]
TAGS = {"热门艺人": [1, 3, 6, 8, 14, 18], "本地艺人": [2, 5, 11, 16, 20]}  # tag -> positions in ARTISTS (1-based)
# (title, event type, description): two per artist type, for the first artists of the list.
CASES = {
    "singer": [("星河科技年会开场演唱", "公司年会", "两千人年会开场，演唱三首流行歌曲并与观众互动。"),
               ("花园婚礼仪式演唱", "婚礼", "户外草坪婚礼，仪式环节现场演唱定制歌曲。")],
    "band": [("城市音乐节主舞台", "音乐节", "音乐节主舞台压轴演出九十分钟。"),
             ("品牌发布会现场乐队", "发布会", "新品发布会全程现场乐队伴奏。")],
    "dancer": [("年会开场舞", "公司年会", "十六人古典舞开场，配合舞台灯光与视频。"),
               ("商场快闪", "商业活动", "周末商场中庭快闪表演三场。")],
    "host": [("年度颁奖典礼", "颁奖典礼", "主持三小时颁奖典礼，串联二十个奖项。"),
             ("婚礼主持", "婚礼", "中英双语婚礼主持，含仪式与晚宴环节。")],
}
CASE_ARTISTS = 8  # the first artists of the list get two approved cases each
CASE_IMAGES = 2


def _profile_extras(session: Session, artist_id: int, i: int) -> None:
    profile = session.get(ArtistProfile, artist_id)
    if profile is None:
        return
    if not profile.regions:
        profile.regions = NEARBY.get(profile.city, [])
    if not profile.works:
        profile.works = WORKS.get(profile.artist_types[0], WORKS["other"])[: 2 + i % 2]
    if profile.active_since_year is None:
        profile.active_since_year = 2005 + (i * 7) % 17
    if not profile.travel_terms:
        profile.travel_terms = TRAVEL_TERMS[i % len(TRAVEL_TERMS)]


def _tags(session: Session, artist_ids: list[int]) -> None:
    for name, positions in TAGS.items():
        session.execute(insert(Tag).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        tag_id = session.scalar(select(Tag.id).where(Tag.name == name))
        for pos in positions:
            if pos <= len(artist_ids):
                session.execute(insert(ArtistTag).values(artist_id=artist_ids[pos - 1], tag_id=tag_id)
                                .on_conflict_do_nothing())


def stage_picture(seed: int, size: tuple[int, int] = (960, 540)) -> bytes:
    """A simple stage-like JPEG: a coloured gradient backdrop, spotlight beams and a dark floor."""
    rng = random.Random(seed)  # noqa: S311 - demo pictures
    w, h = size
    top = (rng.randint(10, 60), rng.randint(0, 40), rng.randint(60, 140))
    bottom = (rng.randint(120, 230), rng.randint(30, 120), rng.randint(60, 180))
    mask = Image.linear_gradient("L").resize(size)
    img = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)
    draw = ImageDraw.Draw(img, "RGBA")
    floor = int(h * 0.78)
    for _ in range(rng.randint(2, 4)):
        x = rng.randint(w // 8, w - w // 8)
        spread = rng.randint(90, 160)
        colour = (255, rng.randint(200, 255), rng.randint(150, 230))
        draw.polygon([(x - 12, 0), (x + 12, 0), (x + spread, floor), (x - spread, floor)], fill=(*colour, 45))
        draw.ellipse([x - spread, floor - 18, x + spread, floor + 18], fill=(*colour, 90))
    draw.rectangle([0, floor, w, h], fill=(18, 16, 24, 255))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=82)
    return buf.getvalue()


def _store_picture(session: Session, storage: ObjectStorage, user_id: int, data: bytes) -> Upload:
    """Stored exactly as an upload is: validated by content, private key, thumbnail, an `uploads` row."""
    stored = store_media(storage, data, prefix=f"case_image/{user_id}", private=True, allowed=[MediaKind.IMAGE])
    upload = Upload(id=stored.key.rsplit("/", 1)[-1].split(".", 1)[0], user_id=user_id, purpose="case_image",
                    object_key=stored.key, content_type=stored.content_type, size=stored.size)
    session.add(upload)
    return upload


def _cases(session: Session, storage: ObjectStorage, artist_ids: list[int]) -> None:
    operator_id = session.scalar(select(Operator.id).where(Operator.username == OPERATOR[0]))
    today = utc_now().astimezone(SHANGHAI).date()
    for i, artist_id in enumerate(artist_ids[:CASE_ARTISTS], start=1):
        if session.scalar(select(func.count()).select_from(MediaCase).where(MediaCase.artist_id == artist_id)):
            continue
        profile = session.get(ArtistProfile, artist_id)
        if profile is None:
            continue
        for n, (title, event_type, description) in enumerate(CASES.get(profile.artist_types[0], CASES["singer"])):
            performed: date = today - timedelta(days=40 + 90 * n + 7 * i)
            case = MediaCase(artist_id=artist_id, title=title, event_type=event_type, performed_on=performed,
                             description=description, position=n, moderation_status="approved",
                             machine_check="pass", reviewed_by=operator_id, reviewed_at=utc_now())
            session.add(case)
            session.flush()
            for k in range(CASE_IMAGES):
                upload = _store_picture(session, storage, artist_id, stage_picture(i * 100 + n * 10 + k))
                session.flush()
                session.add(CaseMedia(case_id=case.id, upload_id=upload.id, kind="image", position=k,
                                      check_status="pass"))
    session.flush()


def seed(session: Session, cipher: FieldCipher, storage: ObjectStorage | None = None) -> dict[str, int]:
    """Demo data. With `storage`, some artists also get approved 演出案例 with generated stage pictures."""
    rng = random.Random(20261124)  # noqa: S311 - demo data, not security
    created = {"operators": 0, "clients": 0, "artists": 0}
    if session.scalar(select(Operator).where(Operator.username == OPERATOR[0])) is None:
        session.add(Operator(username=OPERATOR[0], password_hash=hash_password(OPERATOR[1]),
                             display_name=OPERATOR[2], role_id=roles.ensure_builtin(session, roles.SUPER_ADMIN).id))
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
    artist_ids: list[int] = []
    for i, (name, types, styles, city, (lo, hi), bio) in enumerate(ARTISTS, start=1):
        phone = f"139{i:08d}"
        existing = session.scalar(select(User.id).where(User.phone == phone))
        if existing:
            artist_ids.append(existing)
            continue
        user = User(phone=phone)
        session.add(user)
        session.flush()
        session.add(ArtistProfile(user_id=user.id, stage_name=name, artist_types=types, styles=styles,
                                  city=city, contact_phone=phone, contact_wechat=None, bio=bio,
                                  approved_at=utc_now()))  # the demo artists are public: approved
        session.flush()
        for title, minutes, factor in PRICE_LINES:
            session.add(ArtistPrice(artist_id=user.id, title=title, duration_minutes=minutes,
                                    min_amount=int(lo * factor) * 100, max_amount=int(hi * factor) * 100,
                                    negotiable=i % 3 == 0))
        if i % 4 != 0:
            _verify(session, cipher, user, "艺人" + name[:1] + "某", rng)
        _calendar(session, user.id, rng)
        created["artists"] += 1
        artist_ids.append(user.id)
    session.flush()
    # Added later: filled in for databases seeded before, never overwriting what an artist changed.
    for i, artist_id in enumerate(artist_ids, start=1):
        _profile_extras(session, artist_id, i)
    _tags(session, artist_ids)
    if storage is not None:
        _cases(session, storage, artist_ids)
    help.seed_articles(session)  # 帮助中心's FAQ, once
    # A chat to look at after `make run`: 花嫁婚礼策划工作室 (13800000002) and the wedding host 刘思琪 (13900000015).
    planner = session.scalar(select(User.id).where(User.phone == CLIENTS[1][0]))
    if planner and len(artist_ids) >= 15:
        seed_demo_conversation(session, planner, artist_ids[14], DEMO_CHAT)
    session.flush()
    return created
