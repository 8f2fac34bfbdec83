"""Writes a deterministic brand for the import benchmark: stores.csv, members.jsonl and
orders.csv (ORDERS orders of 1 to 3 items, the items on consecutive lines, amounts that add
up), into the directory given. Standard library only.

    python3 server/benches/data/make_orders.py OUT_DIR ORDERS [MEMBERS]
"""
import json
import os
import random
import sys

out, orders = sys.argv[1], int(sys.argv[2])
members = int(sys.argv[3]) if len(sys.argv) > 3 else max(1, orders // 5)
rng = random.Random(20261122)
os.makedirs(out, exist_ok=True)

cities = [("华东", "上海"), ("华北", "北京"), ("华南", "广州"), ("华南", "深圳"), ("西南", "成都"),
          ("华东", "杭州"), ("华中", "武汉"), ("西北", "西安"), ("华东", "南京"), ("华北", "天津")]
with open(os.path.join(out, "stores.csv"), "w", encoding="utf-8") as f:
    f.write("id,updated_at,name,region,city\n")
    for n, (region, city) in enumerate(cities * 5):
        f.write(f"S{n:03d},2026-01-01T00:00:00Z,{city}{n:03d}店,{region},{city}\n")

surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
with open(os.path.join(out, "members.jsonl"), "w", encoding="utf-8") as f:
    for n in range(members):
        name = rng.choice(surnames) + rng.choice(given) + rng.choice(given)
        f.write(json.dumps({"id": f"M{n:07d}", "updated_at": "2026-02-01T00:00:00Z", "name": name,
                            "level": rng.choice(["普卡", "银卡", "金卡", "黑金"]),
                            "points": rng.randrange(0, 20000), "home_store_id": f"S{n % 50:03d}"},
                           ensure_ascii=False) + "\n")

titles = ["保湿面霜 50ml", "洁面乳 120g", "精华液 30ml", "防晒霜 SPF50", "口红 #301", "香水 50ml",
          "眼霜 15ml", "面膜 5片装", "卸妆油 200ml", "身体乳 250ml"]
with open(os.path.join(out, "orders.csv"), "w", encoding="utf-8") as f:
    f.write("id,updated_at,member_id,channel,store_id,status,total_fen,paid_fen,ordered_at,"
            "item_sku,item_title,item_quantity,item_price_fen\n")
    for n in range(orders):
        items = [(rng.randrange(len(titles)), rng.randint(1, 3), rng.randrange(1000, 60000, 100))
                 for _ in range(rng.randint(1, 3))]
        total = sum(q * p for _, q, p in items)
        day = 1 + n % 28
        head = (f"O{n:08d},2026-03-{day:02d}T12:00:00Z,M{rng.randrange(members):07d},"
                f"{rng.choice(['online', 'offline', 'pos'])},S{rng.randrange(50):03d},completed,"
                f"{total},{total},2026-03-{day:02d}T10:00:00Z")
        for t, q, p in items:
            f.write(f"{head},SKU-{t:03d},{titles[t]},{q},{p}\n")
