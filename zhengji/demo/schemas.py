# ruff: noqa: E501  (Chinese text counts double in line width; these are data files)
"""Entry form schemas of the ten tracks, in the format of zhengji.campaigns.schema.

The entry's title and summary are fields of the Entry model itself, so the schemas hold only what
is particular to a track (the keys "title" and "summary" are not used here)."""

from __future__ import annotations

PLATFORMS = [
    ("weibo", "微博", "Weibo"),
    ("wechat", "微信公众号/视频号", "WeChat"),
    ("toutiao", "今日头条", "Toutiao"),
    ("douyin", "抖音", "Douyin"),
    ("bilibili", "哔哩哔哩（B站）", "Bilibili"),
    ("xiaohongshu", "小红书", "Xiaohongshu"),
    ("other", "其他平台", "Other"),
]


def _choices(rows) -> list[dict]:
    return [{"value": v, "label": zh, "label_en": en} for v, zh, en in rows]


def longtext(key, label, label_en, max_words, *, required=True, min_words=None, help="", help_en="") -> dict:
    f = {"key": key, "type": "longtext", "label": label, "label_en": label_en, "required": required,
         "max_words": max_words, "help": help, "help_en": help_en}
    if min_words:
        f["min_words"] = min_words
    return f


def file(key, label, label_en, *, required=True, help="", help_en="", **rule) -> dict:
    return {"key": key, "type": "file", "label": label, "label_en": label_en, "required": required,
            "help": help, "help_en": help_en, "file": rule}


def _video(key="video", label="作品视频", label_en="Video", *, max_s=600, required=True) -> dict:
    return file(key, label, label_en, required=required, kinds=["video"], extensions=["mp4"], max_size_mb=2048,
                max_duration_s=max_s, min_width=1280, min_height=720, max_count=1,
                help=f"MP4 格式，时长不超过 {max_s // 60} 分钟，分辨率不低于 1280×720，文件不超过 2048 MB。",
                help_en=f"MP4, at most {max_s // 60} minutes, at least 1280×720, at most 2048 MB.")


def _account_fields(official: bool) -> list[dict]:
    who = "官方账号" if official else "账号"
    return [
        {"key": "platform", "type": "choice", "label": "所在平台", "label_en": "Platform", "required": True,
         "choices": _choices(PLATFORMS)},
        {"key": "account_name", "type": "text", "label": f"{who}名称", "label_en": "Account name", "required": True,
         "max_length": 60},
        {"key": "account_id", "type": "text", "label": f"{who} ID", "label_en": "Account ID", "required": True,
         "max_length": 60, "help": "平台上显示的账号 ID 或号码。", "help_en": "The ID or number shown on the platform."},
        {"key": "url", "type": "url", "label": "主页链接", "label_en": "Profile URL", "required": True},
        {"key": "followers", "type": "number", "label": "粉丝数", "label_en": "Followers", "required": True,
         "min_value": 0},
        file("verification", "认证截图" if official else "账号主页截图",
             "Verification screenshot" if official else "Profile screenshot",
             help="账号主页截图，须显示认证信息与粉丝数。", help_en="A screenshot of the profile showing the "
             "verification and the follower count.",
             kinds=["image"], extensions=["jpg", "jpeg", "png"], max_size_mb=10, max_count=1, min_count=1),
        longtext("intro", "账号简介与运营情况", "About the account and how it is run", 800),
        longtext("posts", "代表作品链接", "Representative posts (links)", 1000,
                 help="每行一个链接，不超过 10 条。", help_en="One link per line, at most 10."),
        file("post_screenshots", "代表作品截图", "Screenshots of representative posts", required=False,
             kinds=["image"], extensions=["jpg", "jpeg", "png"], max_size_mb=10, max_count=6),
        {"key": "stats_period", "type": "text", "label": "数据统计周期", "label_en": "Statistics period",
         "required": True, "max_length": 60, "help": "例如：2024年9月—2025年8月。",
         "help_en": "For example: September 2024 to August 2025."},
    ]


SONGS = [
    file("audio", "歌曲音频", "Song audio", kinds=["audio"], extensions=["mp3", "wav", "m4a"], max_size_mb=200,
         max_duration_s=360, max_count=1,
         help="MP3、WAV 或 M4A 格式，时长不超过 6 分钟。", help_en="MP3, WAV or M4A, at most 6 minutes."),
    longtext("lyrics", "歌词", "Lyrics", 1500),
    longtext("notes", "创作说明", "About the work", 500, required=False),
    file("score", "曲谱", "Score", required=False, kinds=["document", "image"],
         extensions=["pdf", "jpg", "jpeg", "png"], max_size_mb=20, max_count=3),
]

MICRO_DRAMAS = [
    _video(),
    longtext("synopsis", "剧情简介", "Synopsis", 500),
    file("poster", "海报", "Poster", required=False, kinds=["image"], extensions=["jpg", "jpeg", "png"],
         max_size_mb=20, max_count=1),
    file("script", "剧本", "Script", required=False, kinds=["document"], extensions=["pdf", "docx"],
         max_size_mb=20, max_count=1),
]

ANIMATION = [
    {"key": "technique", "type": "choice", "label": "表现形式", "label_en": "Technique", "required": True,
     "choices": _choices([("2d", "二维动画", "2D animation"), ("3d", "三维动画", "3D animation"),
                          ("motion", "动态漫画/动态图形", "Motion comic / motion graphics"),
                          ("other", "其他", "Other")])},
    _video(),
    longtext("synopsis", "作品简介", "Synopsis", 500),
]

PHOTOGRAPHY = [
    {"key": "form", "type": "choice", "label": "作品形式", "label_en": "Single or series", "required": True,
     "choices": _choices([("single", "单幅", "Single image"), ("series", "组照（不超过 6 幅）",
                                                               "Series (at most 6)")])},
    file("photos", "照片", "Photographs", kinds=["image"], extensions=["jpg", "jpeg"], max_size_mb=30,
         min_megapixels=3, min_count=1, max_count=6,
         help="JPEG 格式，每幅不低于 300 万像素；单幅 1 张，组照不超过 6 张。不得对原始影像做改变原貌的合成、添加或删除。",
         help_en="JPEG, at least 3 megapixels each; one image, or a series of up to 6. No compositing, adding "
                 "or removing that changes what was photographed."),
    longtext("caption", "图片说明", "Caption", 300, help="拍摄时间、地点与内容。",
             help_en="When, where and what."),
    {"key": "shot_on", "type": "date", "label": "拍摄日期", "label_en": "Date taken", "required": False},
]

RECITATION = [
    {"key": "source", "type": "text", "label": "出处（书名、作者）", "label_en": "Source (book, author)",
     "required": True, "max_length": 120},
    {"key": "form", "type": "choice", "label": "作品形式", "label_en": "Form", "required": True,
     "choices": _choices([("audio", "音频", "Audio"), ("video", "视频", "Video")])},
    file("audio", "诵读音频", "Recitation audio", required=False, kinds=["audio"],
         extensions=["mp3", "wav", "m4a"], max_size_mb=100, max_duration_s=300, max_count=1,
         help="音频作品必填：MP3、WAV 或 M4A，时长不超过 5 分钟。",
         help_en="For audio entries: MP3, WAV or M4A, at most 5 minutes."),
    _video("video", "诵读视频", "Recitation video", max_s=300, required=False),
    longtext("text", "诵读文本", "Text read", 3000, required=False),
]

INFLUENCERS = _account_fields(official=False)

COMMENTARY = [
    {"key": "body", "type": "richtext", "label": "正文", "label_en": "Text", "required": False, "max_words": 3000,
     "help": "在此输入正文（不超过 3000 字），或上传 Word/PDF 文档。",
     "help_en": "Type the text here (at most 3000 characters/words) or upload a Word/PDF document."},
    file("document", "文稿", "Document", required=False, kinds=["document"], extensions=["docx", "pdf"],
         max_size_mb=20, max_count=1),
    {"key": "published_in", "type": "text", "label": "首发媒体或平台", "label_en": "First published in",
     "required": False, "max_length": 80},
    {"key": "published_url", "type": "url", "label": "首发链接", "label_en": "Link to the publication",
     "required": False},
    {"key": "published_on", "type": "date", "label": "发表日期", "label_en": "Date published", "required": False},
]

UNION_ACCOUNTS = _account_fields(official=True)

AI_CASES = [
    {"key": "category", "type": "choice", "label": "类别", "label_en": "Category", "required": True,
     "choices": _choices([("ai_service", "AI+服务", "AI + service"), ("ai_office", "AI+办公", "AI + office")])},
    longtext("background", "项目背景", "Background", 800),
    longtext("solution", "解决方案", "Solution", 1500),
    longtext("effect", "应用成效", "Effect", 800),
    {"key": "url", "type": "url", "label": "演示或访问地址", "label_en": "Demo or access URL", "required": False},
    file("attachments", "附件材料", "Attachments", required=False, kinds=["document"],
         extensions=["pdf", "docx", "pptx"], max_size_mb=50, max_count=3),
]

PUBLIC_BENEFIT = [
    {"key": "category", "type": "choice", "label": "类别", "label_en": "Category", "required": True,
     "choices": _choices([("rights", "维权服务", "Rights protection"), ("skills", "技能提升", "Skills"),
                          ("care", "关爱帮扶", "Care and support"), ("benefits", "普惠福利", "Benefits"),
                          ("culture", "文化体育", "Culture and sport"), ("other", "其他", "Other")])},
    longtext("background", "项目背景", "Background", 800),
    longtext("approach", "主要做法", "What was done", 1500),
    longtext("effect", "服务成效", "Effect", 800),
    {"key": "beneficiaries", "type": "number", "label": "服务职工人次", "label_en": "Workers served",
     "required": False, "min_value": 0},
    {"key": "url", "type": "url", "label": "项目链接", "label_en": "Project URL", "required": False},
    file("photos", "活动照片", "Photographs", required=False, kinds=["image"], extensions=["jpg", "jpeg", "png"],
         max_size_mb=20, max_count=6),
    file("attachments", "附件材料", "Attachments", required=False, kinds=["document"],
         extensions=["pdf", "docx", "pptx"], max_size_mb=50, max_count=3),
]
