// A benchmark, like a test, may stop at the first thing that is not as set up.
#![allow(clippy::expect_used, clippy::unwrap_used)]

//! verify + decrypt + parse of a 1 KB WeCom event: the work `/wecom/callback` does per request
//! before storing. `bash .ci/bench` runs it beside wechatpy and @wecom/crypto on the same
//! message (server/benches/peers/).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use server::config::Secret;
use server::wecom::callback::envelope_encrypt;
use server::wecom::crypto::CallbackCrypto;
use server::wecom::events;

/// An add_external_contact event padded (with a long State) to 1 KB, as the peers get it.
pub fn one_kb_event() -> String {
    let head = "<xml><ToUserName><![CDATA[ww5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode><State><![CDATA[";
    let tail = "]]></State></xml>";
    let filler = "s".repeat(1024 - head.len() - tail.len());
    format!("{head}{filler}{tail}")
}

fn verify_decrypt_parse(c: &mut Criterion) {
    let crypto = CallbackCrypto::new(
        Secret::new("QDG6eK"),
        "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
        "ww5823bf96d3bd56c7",
    )
    .expect("crypto");
    let payload = one_kb_event();
    assert_eq!(payload.len(), 1024);
    let encrypt = crypto
        .encrypt_with_random(&payload, [3; 16])
        .expect("encrypt");
    let (timestamp, nonce) = ("1409659813", "1372623149");
    let signature = crypto.sign(timestamp, nonce, &encrypt);
    let body = format!(
        "<xml><ToUserName><![CDATA[ww5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
    );

    // The same message for the peers' timing scripts.
    if let Ok(path) = std::env::var("BENCH_MESSAGE_OUT") {
        let message = serde_json::json!({
            "token": "QDG6eK", "aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
            "corp_id": "ww5823bf96d3bd56c7", "body": body, "msg_signature": signature,
            "timestamp": timestamp, "nonce": nonce, "payload": payload,
        });
        std::fs::write(path, message.to_string()).expect("write the bench message");
    }

    c.bench_function("callback_verify_decrypt_parse_1kb", |b| {
        b.iter(|| {
            let encrypt = envelope_encrypt(black_box(body.as_bytes())).expect("envelope");
            let payload = crypto
                .verify_and_decrypt(black_box(&signature), timestamp, nonce, &encrypt)
                .expect("decrypt");
            black_box(events::parse(&payload).expect("parse"))
        })
    });

    // Where the time goes, stage by stage.
    let mut stages = c.benchmark_group("callback_stage");
    stages.bench_function("envelope", |b| {
        b.iter(|| envelope_encrypt(black_box(body.as_bytes())))
    });
    stages.bench_function("signature", |b| {
        b.iter(|| crypto.verify_signature(black_box(&signature), timestamp, nonce, &encrypt))
    });
    stages.bench_function("decrypt", |b| {
        b.iter(|| crypto.decrypt(black_box(&encrypt)))
    });
    stages.bench_function("parse_event", |b| {
        b.iter(|| events::parse(black_box(&payload)))
    });
    stages.finish();
}

criterion_group!(benches, verify_decrypt_parse);
criterion_main!(benches);
