"""Times wechatpy on the message our criterion bench wrote: envelope parse + signature check +
decrypt + event parse (wechatpy.enterprise.parse_message), like /wecom/callback does.
Usage: python time_wechatpy.py MESSAGE.json  -> prints ns per operation (JSON)"""
import json
import sys
import time

from wechatpy.enterprise import parse_message
from wechatpy.enterprise.crypto import WeChatCrypto

m = json.load(open(sys.argv[1], encoding="utf-8"))
crypto = WeChatCrypto(m["token"], m["aes_key"], m["corp_id"])


def once():
    message = crypto.decrypt_message(m["body"], m["msg_signature"], m["timestamp"], m["nonce"])
    event = parse_message(message)
    # wechatpy has no class for change_external_contact; it parses it into UnknownMessage.
    assert event._data["ChangeType"] == "add_external_contact", event
    return event


for _ in range(200):  # warm-up
    once()
rounds = 3000
started = time.perf_counter_ns()
for _ in range(rounds):
    once()
ns = (time.perf_counter_ns() - started) / rounds
print(json.dumps({"implementation": "wechatpy 1.8.18", "ns_per_op": round(ns)}))
