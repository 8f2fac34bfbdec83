#!/usr/bin/env python3
"""WeCom's callback crypto as wechatpy implements it: the independent peer our crypto must
interoperate with, in both directions. Installed by .ci/lib.sh (ensure_python_peers).

Reads one JSON request per line on stdin and answers one JSON line each:
  {"op": "encrypt", "token", "aes_key", "corp_id", "message", "nonce", "timestamp"}
      -> {"xml": "<xml><Encrypt>...</Encrypt><MsgSignature>...</MsgSignature>..."}
  {"op": "decrypt", "token", "aes_key", "corp_id", "xml", "msg_signature", "timestamp", "nonce"}
      -> {"message": "..."}
  {"op": "verify_url", ... "echostr"}                  -> {"message": "..."}
Any failure answers {"error": "<exception class>: <text>"}.
"""
import json
import sys

from wechatpy.enterprise.crypto import WeChatCrypto


def handle(request):
    crypto = WeChatCrypto(request["token"], request["aes_key"], request["corp_id"])
    op = request["op"]
    if op == "encrypt":
        return {"xml": crypto.encrypt_message(request["message"], request["nonce"], request["timestamp"])}
    if op == "decrypt":
        message = crypto.decrypt_message(
            request["xml"], request["msg_signature"], request["timestamp"], request["nonce"]
        )
        return {"message": message.decode("utf-8") if isinstance(message, bytes) else message}
    if op == "verify_url":
        message = crypto.check_signature(
            request["msg_signature"], request["timestamp"], request["nonce"], request["echostr"]
        )
        return {"message": message.decode("utf-8") if isinstance(message, bytes) else message}
    raise ValueError("unknown op " + op)


for line in sys.stdin:
    try:
        answer = handle(json.loads(line))
    except Exception as error:  # the test wants to see every failure, whatever its kind
        answer = {"error": "%s: %s" % (type(error).__name__, error)}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
    sys.stdout.flush()
