"""The Anhui organisation tree: the province federation, its 16 city federations, and Tongling
in detail (districts, the county, unions directly under the city, grassroots unions)."""

from __future__ import annotations

from zhengji.orgs.models import OrgKind

# (code, parent code, name, English name, kind, member count)
PROVINCE = ("AH", None, "安徽省总工会", "Anhui Provincial Federation of Trade Unions", OrgKind.PROVINCE, 0)

CITIES = [
    ("AH-HF", "合肥", "Hefei"),
    ("AH-WH", "芜湖", "Wuhu"),
    ("AH-BB", "蚌埠", "Bengbu"),
    ("AH-HN", "淮南", "Huainan"),
    ("AH-MAS", "马鞍山", "Ma'anshan"),
    ("AH-HB", "淮北", "Huaibei"),
    ("AH-TL", "铜陵", "Tongling"),
    ("AH-AQ", "安庆", "Anqing"),
    ("AH-HS", "黄山", "Huangshan"),
    ("AH-FY", "阜阳", "Fuyang"),
    ("AH-SZ", "宿州", "Suzhou (Anhui)"),
    ("AH-CZ", "滁州", "Chuzhou"),
    ("AH-LA", "六安", "Lu'an"),
    ("AH-XC", "宣城", "Xuancheng"),
    ("AH-CHZ", "池州", "Chizhou"),
    ("AH-BZ", "亳州", "Bozhou"),
]

# Tongling below the city federation.
TONGLING = [
    ("AH-TL-TG", "AH-TL", "铜官区总工会", "Tongguan District Federation of Trade Unions", OrgKind.COUNTY, 0),
    ("AH-TL-YA", "AH-TL", "义安区总工会", "Yi'an District Federation of Trade Unions", OrgKind.COUNTY, 0),
    ("AH-TL-JQ", "AH-TL", "郊区总工会", "Suburban District Federation of Trade Unions", OrgKind.COUNTY, 0),
    ("AH-TL-ZY", "AH-TL", "枞阳县总工会", "Zongyang County Federation of Trade Unions", OrgKind.COUNTY, 0),
    ("AH-TL-SZJG", "AH-TL", "铜陵市直机关工会", "Tongling City Government Offices Union", OrgKind.DIRECT, 0),
    ("AH-TL-JY", "AH-TL", "铜陵市教育工会", "Tongling Education Union", OrgKind.INDUSTRY, 0),
    ("AH-TL-WJ", "AH-TL", "铜陵市卫生健康系统工会", "Tongling Health System Union", OrgKind.INDUSTRY, 0),
    ("AH-TL-JT", "AH-TL", "铜陵市交通运输系统工会", "Tongling Transport System Union", OrgKind.INDUSTRY, 0),
    # Grassroots unions (fictitious units with plausible member counts).
    ("AH-TL-TG-001", "AH-TL-TG", "铜官区某铜材加工企业工会", "Union of a copper-processing company, Tongguan",
     OrgKind.GRASSROOTS, 860),
    ("AH-TL-TG-002", "AH-TL-TG", "铜官区某社区卫生服务中心工会", "Union of a community health centre, Tongguan",
     OrgKind.GRASSROOTS, 74),
    ("AH-TL-TG-003", "AH-TL-TG", "铜官区某商贸公司工会", "Union of a trading company, Tongguan",
     OrgKind.GRASSROOTS, 135),
    ("AH-TL-YA-001", "AH-TL-YA", "义安区某电子材料公司工会", "Union of an electronic-materials company, Yi'an",
     OrgKind.GRASSROOTS, 420),
    ("AH-TL-YA-002", "AH-TL-YA", "义安区某中学工会", "Union of a secondary school, Yi'an",
     OrgKind.GRASSROOTS, 96),
    ("AH-TL-YA-003", "AH-TL-YA", "义安区某镇联合工会", "Joint union of a township, Yi'an",
     OrgKind.GRASSROOTS, 310),
    ("AH-TL-JQ-001", "AH-TL-JQ", "郊区某冶炼厂工会", "Union of a smelter, Suburban District",
     OrgKind.GRASSROOTS, 1250),
    ("AH-TL-JQ-002", "AH-TL-JQ", "郊区某物流园工会", "Union of a logistics park, Suburban District",
     OrgKind.GRASSROOTS, 210),
    ("AH-TL-JQ-003", "AH-TL-JQ", "郊区某街道联合工会", "Joint union of a sub-district, Suburban District",
     OrgKind.GRASSROOTS, 180),
    ("AH-TL-ZY-001", "AH-TL-ZY", "枞阳县某农业科技公司工会", "Union of an agritech company, Zongyang",
     OrgKind.GRASSROOTS, 88),
    ("AH-TL-ZY-002", "AH-TL-ZY", "枞阳县人民医院工会", "Union of the Zongyang County People's Hospital",
     OrgKind.GRASSROOTS, 640),
    ("AH-TL-SZJG-001", "AH-TL-SZJG", "市某局机关工会", "Union of a city bureau's offices",
     OrgKind.GRASSROOTS, 65),
    ("AH-TL-JY-001", "AH-TL-JY", "铜陵市某中学工会", "Union of a Tongling secondary school",
     OrgKind.GRASSROOTS, 150),
    ("AH-TL-JY-002", "AH-TL-JY", "铜陵市某职业技术学院工会", "Union of a Tongling vocational college",
     OrgKind.GRASSROOTS, 520),
    ("AH-TL-WJ-001", "AH-TL-WJ", "铜陵市某医院工会", "Union of a Tongling hospital",
     OrgKind.GRASSROOTS, 1100),
    ("AH-TL-JT-001", "AH-TL-JT", "铜陵市某公交公司工会", "Union of a Tongling bus company",
     OrgKind.GRASSROOTS, 760),
]

# The units whose members are the demo workers and whose admins are demo unit admins.
WORKER_UNITS = {"worker_yian": "AH-TL-YA-001", "worker_jiaoqu": "AH-TL-JQ-001"}


def org_rows() -> list[tuple]:
    """Every organisation as (code, parent code, name, name_en, kind, member count, short name),
    parents before children."""
    rows = [(*PROVINCE, "安徽省总工会")]
    for code, zh, en in CITIES:
        rows.append((code, "AH", f"{zh}市总工会", f"{en} City Federation of Trade Unions", OrgKind.CITY, 0,
                     f"{zh}市总"))
    for code, parent, name, name_en, kind, members in TONGLING:
        rows.append((code, parent, name, name_en, kind, members, ""))
    return rows
