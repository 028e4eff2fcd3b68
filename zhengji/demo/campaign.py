# ruff: noqa: E501  (Chinese text counts double in line width; these are data files)
"""The 2025 campaign, its ten tracks (the annex of the notice), level deadlines and quotas, and
announcements. Texts are drawn from the notice in /work/shared/seed; contact persons and phone
numbers are left out on purpose."""

from __future__ import annotations

import datetime as dt

from zhengji.campaigns.models import WorkKind
from zhengji.orgs.models import OrgKind

from . import schemas

CAMPAIGN = {
    "slug": "good-netizen-2025",
    "org_code": "AH",
    "name": "皖美职工正能量 争做中国好网民",
    "name_en": "Anhui Workers' Positive Energy: Strive to Be a Good Chinese Netizen",
    "year": 2025,
    "is_published": True,
    "summary": (
        "2025年“皖美职工正能量 争做中国好网民”主题活动由安徽省总工会组织，全省各级工会广泛参加。"
        "活动设网络正能量歌曲、微短剧、动漫、摄影、诵读、职工网络达人账号、网评、工会新媒体账号、"
        "AI应用案例、普惠项目等10个子项目，各子项目由省总指定的市总工会承办。"
        "5月启动，6月至9月创作、收集、报送作品（9月15日前报送），10月至11月按子项目评审，"
        "12月公示结果并印发年度优秀成果及表现突出单位和个人的通报。"
    ),
    "summary_en": (
        "The 2025 theme activity “Anhui Workers' Positive Energy: Strive to Be a Good Chinese Netizen” is "
        "organised by the Anhui Provincial Federation of Trade Unions with unions at every level taking part. "
        "It has ten sub-projects (songs, micro-dramas, animation, photography, recitation, worker influencer "
        "accounts, online commentary, union new-media accounts, AI application cases and public-benefit "
        "projects), each hosted by a city federation. Launch in May; works are created, collected and reported "
        "from June to September (by 15 September); review per sub-project in October and November; results, "
        "public notice and the official notice of excellent works and outstanding units and individuals in "
        "December."
    ),
    "launch_date": dt.date(2025, 5, 20),
    "collect_start": dt.date(2025, 6, 1),
    "collect_end": dt.date(2025, 9, 15),
    "review_start": dt.date(2025, 10, 1),
    "review_end": dt.date(2025, 11, 30),
    "publicity_start": dt.date(2025, 12, 1),
    "publicity_end": dt.date(2025, 12, 10),
    "conclude_date": dt.date(2025, 12, 31),
}

# Requirements every track shares (notice, part five "工作要求").
COMMON_RULES = [
    ("坚持正确政治方向、舆论导向和价值取向，内容积极向上，紧扣主题，展现职工奋进新征程、建功新时代的精神风貌。",
     "Keep to the right political direction, guidance of opinion and values; content must be positive and on "
     "theme, showing workers striving in the new era."),
    ("突出原创导向：作品须为本人或本单位原创，不得抄袭、剽窃、冒用他人作品。",
     "Originality first: works must be the entrant's own original work; no copying, plagiarism or passing off."),
    ("尊重版权：使用的音乐、图片、影像、字体等素材须已取得授权，由此产生的版权纠纷由报送者承担。",
     "Respect copyright: music, images, footage and fonts used must be licensed; the entrant is answerable for "
     "any copyright dispute."),
    ("不得含有违法违规、低俗或商业广告内容，不得泄露国家秘密、商业秘密和个人隐私。",
     "No unlawful, vulgar or advertising content; no state or business secrets, no personal privacy."),
    ("基层工会于9月5日前向县（区）总工会、市总直属工会或产业工会报送；县（区）总工会、市总直属工会和产业工会"
     "于9月10日前向市总工会推荐，每个子项目不超过5件；市总工会于9月15日前向承办单位报送，每个子项目不超过10件。",
     "Grassroots unions report to their county/district federation, directly affiliated or industry union by "
     "5 September; those recommend to the city federation by 10 September (at most 5 per sub-project); city "
     "federations report to the host unit by 15 September (at most 10 per sub-project)."),
]


def _rules_html(specifics: list[str], lang: str, common_rules=None) -> str:
    """The track's rules: its requirements and the shared ones. What is collected is the track's
    description, which the track page shows above the rules ("About this track"): not repeated."""
    head = {"zh": "作品要求", "en": "Requirements"}[lang]
    common = [zh if lang == "zh" else en for zh, en in (common_rules or COMMON_RULES)]
    items = "".join(f"<li>{s}</li>" for s in [*specifics, *common])
    return f"<h3>{head}</h3><ul>{items}</ul>"


# number, slug, name, name_en, host unit code, kind, entrant types, schema,
# description (zh, en: from the annex), format specifics (zh, en)
TRACKS = [
    dict(
        number=1, slug="songs", name="网络正能量歌曲征集", name_en="Positive-energy songs", host="AH-HB",
        kind=WorkKind.AUDIO, entrants=["individual", "team"], schema=schemas.SONGS,
        description="结合迎接和庆祝中华全国总工会成立100周年，动员广大职工群众用原创歌曲讴歌伟大的时代精神，展现各行各业"
                    "取得的辉煌成就，展示劳动者风采，抒发广大职工群众奋进新征程、建设社会主义现代化国家的壮志豪情。",
        description_en="For the 100th anniversary of the All-China Federation of Trade Unions: original songs by "
                       "workers that praise the spirit of the era, the achievements of every trade and the "
                       "workers themselves.",
        specifics=(["原创歌曲，词曲均须原创；提交 MP3、WAV 或 M4A 音频，时长不超过6分钟，并附歌词。"],
                   ["Original songs (lyrics and music); MP3, WAV or M4A audio of at most 6 minutes, with the "
                    "lyrics."]),
    ),
    dict(
        number=2, slug="micro-dramas", name="网络正能量微短剧征集", name_en="Positive-energy micro-dramas",
        host="AH-MAS", kind=WorkKind.VIDEO, entrants=["individual", "team", "unit"], schema=schemas.MICRO_DRAMAS,
        description="征集展现工会工作的剧情演绎类视频作品；征集建功新时代、奋进新征程、劳动创造幸福、匠心绝活、网络安全和"
                    "网络文明故事等积极向上、充满正能量的剧情演绎类视频作品，突出“三个精神”，用镜头讲好工会故事、劳动者故事。",
        description_en="Story-driven videos about union work, and about striving in the new era, happiness through "
                       "work, craftsmanship, network security and online civility: union and workers' stories "
                       "told through the lens.",
        specifics=(["MP4 视频，时长不超过10分钟，分辨率不低于1280×720，文件不超过2048 MB。"],
                   ["MP4 video, at most 10 minutes, at least 1280×720, at most 2048 MB."]),
    ),
    dict(
        number=3, slug="animation", name="网络正能量动漫作品征集", name_en="Positive-energy animation", host="AH-WH",
        kind=WorkKind.VIDEO, entrants=["individual", "team", "unit"], schema=schemas.ANIMATION,
        description="围绕时代主题，聚焦发展新质生产力，征集有吸引力、感染力和影响力的原创动漫作品，通过动漫作品特有的艺术"
                    "表现力，突出新视觉、新叙事、新载体，讲述职工故事，展现工会作为，着力面向青年职工传递“三个精神”。",
        description_en="Original animation on the themes of the era and new quality productive forces: workers' "
                       "stories and union action told with new visuals and narratives, aimed at young workers.",
        specifics=(["MP4 视频，时长不超过10分钟，分辨率不低于1280×720。"],
                   ["MP4 video, at most 10 minutes, at least 1280×720."]),
    ),
    dict(
        number=4, slug="photography", name="网络正能量摄影作品征集", name_en="Positive-energy photography",
        host="AH-XC", kind=WorkKind.IMAGE, entrants=["individual"], schema=schemas.PHOTOGRAPHY,
        description="征集展现广大职工爱岗敬业、艰苦奋斗、勇于创新、甘于奉献的精神风貌，反映各行各业劳模风采、工匠技艺，"
                    "展示重大科技创新、企业火热劳动场景、职工幸福生活场景的原创摄影作品；征集展现中国工会历次全国代表大会、"
                    "工运历史事件地标场景、红色工运文化等的原创摄影作品。",
        description_en="Original photographs of workers' dedication, model workers and craftsmen, major innovation, "
                       "workplaces and workers' lives; and of the congresses, landmarks and history of the Chinese "
                       "labour movement.",
        specifics=(["JPEG 格式，每幅不低于 300 万像素；单幅或组照（不超过6幅），须附图片说明，不得做改变原貌的合成。"],
                   ["JPEG, at least 3 megapixels each; a single image or a series of up to 6, with a caption; "
                    "no compositing that changes what was photographed."]),
    ),
    dict(
        number=5, slug="recitation", name="网络正能量诵读作品征集", name_en="Positive-energy recitation",
        host="AH-LA", kind=WorkKind.AUDIO, entrants=["individual", "team"], schema=schemas.RECITATION,
        description="以“阅读经典好书 争做中国好网民”为主题，积极响应全民阅读号召，引导职工在诵读中学习新思想，感受经典魅力，"
                    "开启智慧人生，营造广大职工建功“十四五”、奋进新征程的良好社会氛围。",
        description_en="Theme “Read the classics, be a good netizen”: recitations of classic books, answering the "
                       "call for nationwide reading.",
        specifics=(["音频（MP3、WAV、M4A）或视频（MP4，不低于1280×720），时长不超过5分钟，注明篇目出处。"],
                   ["Audio (MP3, WAV, M4A) or video (MP4, at least 1280×720), at most 5 minutes; name the source."]),
    ),
    dict(
        number=6, slug="influencers", name="正能量职工网络达人账号征集", name_en="Positive-energy worker influencer accounts",
        host="AH-CZ", kind=WorkKind.ACCOUNT, entrants=["individual"], schema=schemas.INFLUENCERS,
        description="面向广大职工和工会干部征集能积极运用互联网新技术、新应用、新平台，在唱响主旋律、传递正能量，讲好职工"
                    "故事，弘扬“三个精神”等方面成绩突出，且有一定影响力、凝聚力和号召力的职工网络达人账号。",
        description_en="Accounts of workers and union cadres who use new online technology and platforms to spread "
                       "positive energy and tell workers' stories, with real influence.",
        specifics=(["账号须由本人实名注册运营，填写平台、账号名称与 ID、主页链接、粉丝数及统计周期，附主页截图与代表作品。"],
                   ["The account must be registered and run by the entrant; give platform, name and ID, URL, "
                    "followers and the statistics period, with a profile screenshot and representative posts."]),
    ),
    dict(
        number=7, slug="commentary", name="优秀网评作品征集", name_en="Online commentary", host="AH-FY",
        kind=WorkKind.TEXT, entrants=["individual"], schema=schemas.COMMENTARY,
        description="围绕重大活动、重大政策、工会工作、“三个精神”、改革创新、职工关注、社会热点、幸福生活等主题积极发声，"
                    "直面关切、理性述评，通过感同身受的视角、深刻独到的思考、温暖人心的笔触，谈思想认识、讲切身体会、说创新举措。",
        description_en="Commentary on major events and policies, union work, reform, workers' concerns and social "
                       "topics: reasoned, personal and warm.",
        specifics=(["正文不超过3000字，可在线填写或上传 Word/PDF 文档；已发表的注明首发媒体与链接。"],
                   ["At most 3000 characters, typed in or uploaded as Word/PDF; if published, name where."]),
    ),
    dict(
        number=8, slug="union-accounts", name="工会新媒体账号征集", name_en="Union new-media accounts", host="AH-BZ",
        kind=WorkKind.ACCOUNT, entrants=["unit"], schema=schemas.UNION_ACCOUNTS,
        description="征集坚持正确政治方向、舆论导向、价值取向，创新利用网络化表达方式，在发出工会声音、服务职工群众方面表现"
                    "突出，具有一定原创作品生产能力，内容可读性强、用户活跃度高、影响范围广的新媒体账号。征集对象为各级工会组织"
                    "在微博、微信、今日头条、抖音、B站、小红书等新媒体平台开设并经认证的官方账号。",
        description_en="Verified official accounts of union organisations on Weibo, WeChat, Toutiao, Douyin, "
                       "Bilibili, Xiaohongshu and similar platforms that speak for the unions and serve workers.",
        specifics=(["由工会组织以单位名义报送，须为经平台认证的官方账号，附认证截图。"],
                   ["Entered by the union organisation as a unit; the account must be platform-verified, with a "
                    "screenshot of the verification."]),
    ),
    dict(
        number=9, slug="ai-cases", name="AI应用案例征集", name_en="AI application cases", host="AH-HF",
        kind=WorkKind.CASE, entrants=["team", "unit"], schema=schemas.AI_CASES,
        description="征集 AI+服务实效项目，如智能维权服务、智能职工创新创业辅助、智能生活助手等；征集 AI+办公实效项目，"
                    "如智能公文写作辅助、智能业务辅助、智能知识管理辅助等。",
        description_en="AI + service projects (smart rights protection, help for workers' innovation and "
                       "start-ups, life assistants) and AI + office projects (drafting official documents, "
                       "business aids, knowledge management).",
        specifics=(["须为已实际应用的项目，说明背景、方案与成效，附件不超过3个。"],
                   ["Projects in actual use; describe background, solution and effect; at most 3 attachments."]),
    ),
    dict(
        number=10, slug="public-benefit", name="网络正能量普惠项目征集", name_en="Positive-energy public-benefit projects",
        host="AH-BB", kind=WorkKind.CASE, entrants=["unit"], schema=schemas.PUBLIC_BENEFIT,
        description="征集各级工会充分利用互联网组织开展的各类普惠项目，包括各级工会围绕主责主业推进重点工作，创新运用"
                    "互联网技术服务职工的各类普惠活动的好做法、好经验。",
        description_en="Public-benefit projects that unions run over the internet: good practice in using online "
                       "technology to serve workers.",
        specifics=(["由工会组织以单位名义报送，说明做法与成效，可附照片与材料。"],
                   ["Entered by the union organisation as a unit; describe what was done and the effect."]),
    ),
]


def track_rows(common_rules=None) -> list[dict]:
    """The ten tracks with their rules as HTML; `common_rules` replaces COMMON_RULES (the live
    copy states its own deadlines)."""
    rows = []
    for t in TRACKS:
        zh, en = t["specifics"]
        rows.append({**t, "rules": _rules_html(zh, "zh", common_rules),
                     "rules_en": _rules_html(en, "en", common_rules)})
    return rows


# (level reporting upward, deadline date, quota per track): from the notice and the brief.
LEVEL_RULES = [
    (OrgKind.GRASSROOTS, dt.date(2025, 9, 5), None),
    (OrgKind.COUNTY, dt.date(2025, 9, 10), 5),
    (OrgKind.DIRECT, dt.date(2025, 9, 10), 5),
    (OrgKind.INDUSTRY, dt.date(2025, 9, 10), 5),
    (OrgKind.CITY, dt.date(2025, 9, 15), 10),
]

# (key, title, title_en, body, body_en, publish datetime (Asia/Shanghai), pinned)
ANNOUNCEMENTS = [
    ("launch", "关于组织开展2025年“皖美职工正能量 争做中国好网民”主题活动的通知",
     "Notice on the 2025 “Strive to Be a Good Chinese Netizen” theme activity",
     "<p>各市总工会、县（区）总工会、直属工会：</p><p>2025年“皖美职工正能量 争做中国好网民”主题活动现已启动，"
     "设歌曲、微短剧、动漫、摄影、诵读、职工网络达人账号、网评、工会新媒体账号、AI应用案例、普惠项目等10个子项目。"
     "请各单位广泛发动，按子项目规则组织创作、收集和报送作品，于9月15日前完成报送。</p>",
     "<p>The 2025 theme activity has been launched with ten sub-projects. Units are asked to mobilise workers, "
     "organise, collect and report works according to each sub-project's rules, by 15 September.</p>",
     dt.datetime(2025, 5, 20, 9, 0), True),
    ("collection", "作品征集正式开始", "Collection of works opens",
     "<p>6月1日起，职工和各单位可登录平台，按子项目规则提交作品。请在提交前阅读原创与版权承诺。</p>",
     "<p>From 1 June workers and units may sign in and submit works according to each sub-project's rules. "
     "Please read the originality and copyright declaration before submitting.</p>",
     dt.datetime(2025, 6, 1, 9, 0), False),
    ("deadline", "关于作品报送截止时间的提醒", "Reminder: reporting deadlines",
     "<p>基层工会报送截止时间为9月5日，县（区）总工会及直属工会推荐截止时间为9月10日（每个子项目不超过5件），"
     "市总工会报送截止时间为9月15日（每个子项目不超过10件）。逾期系统将不再接受报送。</p>",
     "<p>Grassroots unions report by 5 September; county/district federations and directly affiliated unions "
     "recommend by 10 September (at most 5 per sub-project); city federations report by 15 September (at most "
     "10 per sub-project). Late reports are not accepted.</p>",
     dt.datetime(2025, 8, 25, 9, 0), False),
]


# --- The live copy (`load_demo --live`) ------------------------------------------------------------
# The same ten tracks, forms and quotas, with the phases moved so that collection is open on the
# day the demo is loaded: a visitor can take part, while the 2025 campaign stays as the record.
LIVE_SLUG = "good-netizen-live"


def _zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _en_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def live_dates(today: dt.date) -> dict[str, dt.date]:
    """Collection from 30 days ago to 60 days ahead; the other phases keep the 2025 spacing."""
    d = dt.timedelta
    collect_end = today + d(days=60)
    review_start = collect_end + d(days=16)
    review_end = review_start + d(days=60)
    return {
        "launch_date": today - d(days=42), "collect_start": today - d(days=30), "collect_end": collect_end,
        "review_start": review_start, "review_end": review_end,
        "publicity_start": review_end + d(days=1), "publicity_end": review_end + d(days=10),
        "conclude_date": review_end + d(days=31),
    }


def live_level_rules(today: dt.date) -> list[tuple]:
    """LEVEL_RULES with each deadline as far before the end of collection as in 2025."""
    end = live_dates(today)["collect_end"]
    return [(kind, end - (CAMPAIGN["collect_end"] - day), quota) for kind, day, quota in LEVEL_RULES]


def live_common_rules(today: dt.date) -> list[tuple[str, str]]:
    """COMMON_RULES with the deadline rule restated for the live dates."""
    by_kind = {kind: day for kind, day, _q in live_level_rules(today)}
    g, c, city = by_kind[OrgKind.GRASSROOTS], by_kind[OrgKind.COUNTY], by_kind[OrgKind.CITY]
    zh = (f"基层工会于{_zh_date(g)}前向县（区）总工会、市总直属工会或产业工会报送；县（区）总工会、市总直属工会和"
          f"产业工会于{_zh_date(c)}前向市总工会推荐，每个子项目不超过5件；市总工会于{_zh_date(city)}前向承办单位报送，"
          "每个子项目不超过10件。")
    en = (f"Grassroots unions report to their county/district federation, directly affiliated or industry union "
          f"by {_en_date(g)}; those recommend to the city federation by {_en_date(c)} (at most 5 per "
          f"sub-project); city federations report to the host unit by {_en_date(city)} (at most 10 per "
          "sub-project).")
    return [*COMMON_RULES[:-1], (zh, en)]


def live_campaign(today: dt.date) -> dict:
    dates = live_dates(today)
    end_zh, end_en = _zh_date(dates["collect_end"]), _en_date(dates["collect_end"])
    return {
        "slug": LIVE_SLUG,
        "org_code": CAMPAIGN["org_code"],
        "name": f"{CAMPAIGN['name']}（演示）",
        "name_en": f"{CAMPAIGN['name_en']} (demo)",
        "year": today.year,
        "is_published": True,
        "summary": (
            "这是 2025 年主题活动的演示副本：十个子项目、报名表、限额与 2025 年相同，各阶段日期按载入演示数据的当天顺延，"
            f"征集期正在进行（{end_zh}截止），可以用演示账号试着提交作品。"
            "2025 年的活动保留为历史记录，见“活动列表”。"
        ),
        "summary_en": (
            "A demo copy of the 2025 theme activity: the same ten sub-projects, entry forms and quotas, with the "
            f"phases moved to the day the demo data was loaded, so collection is open (until {end_en}) and the "
            "demo accounts can submit entries. The 2025 campaign stays as the record; see the list of campaigns."
        ),
        **dates,
    }


def live_announcements(today: dt.date) -> list[tuple]:
    dates = live_dates(today)
    launch = dt.datetime.combine(dates["launch_date"], dt.time(9, 0))
    return [
        ("live", "演示活动说明", "About this demo campaign",
         "<p>本活动是演示副本，征集期按今天顺延，可以用演示账号（密码见 README）登录后提交作品。"
         "演示数据会在每次启动时重新校准日期，请勿录入真实个人信息。</p>",
         "<p>This campaign is a demo copy whose collection period is moved to today: log in with a demo account "
         "(the password is in the README) to submit entries. The dates are "
         "realigned each time the demo is loaded; do not enter real personal data.</p>",
         launch, True),
    ]
