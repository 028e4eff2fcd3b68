# ruff: noqa: E501  (Chinese text counts double in line width; these are data files)
"""Sample entries of the 2025 campaign, submitted by the demo accounts in July–September 2025.

Their files are generated when the demo is loaded (Pillow, ffmpeg, espeak-ng through
zhengji.media.samples), never committed. Texts are written for the demo; the recitation reads a
classical text in the public domain. Each entry is found again by (track, submitter, title).
"""

from __future__ import annotations

import datetime as dt

# A file to generate: (generator, file name, parameters). Generators: "jpeg" (width, height),
# "png" (width, height), "video" (seconds, width, height), "speech" (text read by espeak-ng).
# Sizes meet the demo schemas: photographs ≥ 3 MP, micro-drama video ≥ 1280×720 (kept to 3 s).

QUANXUE = ("吾尝终日而思矣，不如须臾之所学也。吾尝跂而望矣，不如登高之博见也。"
           "登高而招，臂非加长也，而见者远；顺风而呼，声非加疾也，而闻者彰。")

SAMPLE_ENTRIES = [
    dict(
        username="worker_yian", track="photography", entrant_type="individual",
        when=dt.datetime(2025, 7, 12, 10, 20),
        title="铜花绽放——电子材料车间的一天",
        summary="组照三幅，记录义安区一家电子材料企业车间从早班交接到夜间检修的一天。",
        data={"form": "series", "caption": "2025年6月28日摄于铜陵市义安区某电子材料公司生产车间：早班交接、"
                                           "精密分切、夜间设备检修。", "shot_on": "2025-06-28"},
        files={"photos": [("jpeg", "早班交接.jpg", (2048, 1536)), ("jpeg", "精密分切.jpg", (2240, 1400)),
                          ("jpeg", "夜间检修.jpg", (1536, 2048))]},
    ),
    dict(
        username="worker_yian", track="micro-dramas", entrant_type="team",
        when=dt.datetime(2025, 8, 20, 15, 40),
        title="最后一公里",
        summary="快递小哥、社区网格员和工会驿站志愿者在一个雨夜共同把药品送到独居老人家中的故事。",
        data={"synopsis": "暴雨夜，一份急需的药品卡在了配送的“最后一公里”。快递员小周、社区网格员老陈和工会"
                          "户外劳动者驿站的志愿者接力送药，也让一位独居老人第一次知道了“娘家人”的含义。"},
        authors=[{"name": "演示·陈晓", "unit_name": "义安区某电子材料公司工会", "role": "编剧、导演"},
                 {"name": "演示·张晓", "unit_name": "义安区某电子材料公司工会", "role": "主演"},
                 {"name": "演示·李明", "unit_name": "义安区某电子材料公司工会", "role": "摄像、剪辑"}],
        files={"video": [("video", "最后一公里.mp4", (3, 1280, 720))]},
    ),
    dict(
        username="worker_jiaoqu", track="recitation", entrant_type="individual",
        when=dt.datetime(2025, 7, 28, 20, 5),
        title="读书会诵读：劝学（节选）",
        summary="冶炼厂职工读书会的一次诵读：荀子《劝学》节选。",
        data={"source": "《荀子·劝学》，荀况", "form": "audio", "text": QUANXUE},
        files={"audio": [("speech", "劝学.mp3", QUANXUE)]},
    ),
    dict(
        username="worker_jiaoqu", track="commentary", entrant_type="individual",
        when=dt.datetime(2025, 8, 5, 21, 30),
        title="让网上的好声音成为车间里的正能量",
        summary="一名冶炼工人谈职工如何在网上理性发声、传播正能量。",
        data={
            "body": "<p>在炉前干了十五年，我发现工友们刷手机的时间越来越多，网上的声音也越来越多地影响着车间里的情绪。</p>"
                    "<p>网上有<strong>好声音</strong>，也有情绪化的噪音。作为职工，我们既是网络的使用者，也是正能量的传播者："
                    "遇到事情先查证再转发，表达诉求走正规渠道，分享身边劳模工匠的故事。</p>"
                    "<ul><li>转发之前多问一句“是真的吗”；</li><li>评论之前多想一步“有帮助吗”；</li>"
                    "<li>遇到问题多找一次“娘家人”——工会。</li></ul>"
                    "<p>让网上的好声音走进车间，车间里的好故事也能走上网络。</p>",
            "published_in": "郊区某冶炼厂工会微信公众号",
            "published_on": "2025-07-30",
        },
        files={},
    ),
    dict(
        username="admin_yian", track="union-accounts", entrant_type="unit", unit="AH-TL-YA",
        when=dt.datetime(2025, 9, 8, 16, 0),
        title="“义安工会”微信公众号",
        summary="义安区总工会官方微信公众号，发布工会动态、职工服务和普惠活动。",
        data={
            "platform": "wechat", "account_name": "义安工会", "account_id": "yian_union_demo",
            "url": "https://example.org/demo/yian-union", "followers": 12600,
            "intro": "账号由义安区总工会宣教部运营，每周更新4次，设“工会动态”“职工服务”“劳模风采”三个栏目，"
                     "提供入会申请、法律援助预约和普惠活动报名入口。",
            "posts": "https://example.org/demo/yian-union/posts/1\nhttps://example.org/demo/yian-union/posts/2",
            "stats_period": "2024年9月—2025年8月",
        },
        files={"verification": [("png", "认证截图.png", (720, 1280))]},
    ),
]
