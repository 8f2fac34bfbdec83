//! Our WeCom crypto against an independent implementation (wechatpy), both directions:
//! what wechatpy encrypts we decrypt, what we encrypt wechatpy decrypts.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use server::config::Secret;
use server::wecom::crypto::CallbackCrypto;

const TOKEN: &str = "QDG6eK";
const AES_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
const CORP_ID: &str = "ww5823bf96d3bd56c7";

/// The wechatpy peer (tests/peers/wechatpy_peer.py), one process for a whole test.
struct Peer {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl Peer {
    fn start() -> Self {
        let python = std::env::var("WECHATPY_PYTHON").unwrap_or_else(|_| {
            let venv = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../target/peers-venv/bin/python"
            );
            assert!(
                std::path::Path::new(venv).exists(),
                "wechatpy is not installed: run the README's test command (bash .ci/test), which \
                 installs it into target/peers-venv, or set WECHATPY_PYTHON"
            );
            venv.to_owned()
        });
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peers/wechatpy_peer.py");
        let mut child = Command::new(python)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the wechatpy peer");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Self {
            child,
            input,
            output,
        }
    }

    fn ask(&mut self, mut request: Value) -> Value {
        request["token"] = json!(TOKEN);
        request["aes_key"] = json!(AES_KEY);
        request["corp_id"] = json!(CORP_ID);
        writeln!(self.input, "{request}").unwrap();
        let mut line = String::new();
        self.output.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer answered {line:?}: {e}"))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ours() -> CallbackCrypto {
    CallbackCrypto::new(Secret::new(TOKEN), AES_KEY, CORP_ID).unwrap()
}

fn xml_value(xml: &str, tag: &str) -> String {
    let start = xml.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = xml.find(&format!("</{tag}>")).unwrap();
    xml[start..end]
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("]]>")
        .to_owned()
}

fn messages() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[一-龥a-zA-Z0-9<>&]{0,120}",
        (0usize..70).prop_map(|n| "导".repeat(n)),
        (1usize..6, 0usize..3).prop_map(|(blocks, d)| "y".repeat(blocks * 32 - d)),
    ]
}

#[test]
fn what_wechatpy_encrypts_we_verify_and_decrypt() {
    // The runner wants an `Fn`; the peer's pipe is used one request at a time.
    let peer = std::cell::RefCell::new(Peer::start());
    let crypto = ours();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    runner
        .run(&messages(), |message| {
            let answer = peer.borrow_mut().ask(json!({"op": "encrypt", "message": message, "nonce": "1372623149", "timestamp": "1409659813"}));
            let xml = answer["xml"].as_str().unwrap_or_else(|| panic!("{answer}"));
            let encrypt = xml_value(xml, "Encrypt");
            let signature = xml_value(xml, "MsgSignature");
            let decrypted = crypto.verify_and_decrypt(&signature, "1409659813", "1372623149", &encrypt).unwrap();
            prop_assert_eq!(decrypted, message);
            Ok(())
        })
        .unwrap();
}

#[test]
fn what_we_encrypt_wechatpy_verifies_and_decrypts() {
    // The runner wants an `Fn`; the peer's pipe is used one request at a time.
    let peer = std::cell::RefCell::new(Peer::start());
    let crypto = ours();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        ..Config::default()
    });
    runner
        .run(&messages(), |message| {
            let reply = crypto.encrypted_reply(&message, "1409659813", "1372623149").unwrap();
            let signature = xml_value(&reply, "MsgSignature");
            let answer = peer.borrow_mut().ask(json!({"op": "decrypt", "xml": reply, "msg_signature": signature, "timestamp": "1409659813", "nonce": "1372623149"}));
            prop_assert_eq!(answer["message"].as_str(), Some(message.as_str()), "{}", answer);
            Ok(())
        })
        .unwrap();
}

#[test]
fn wechatpy_accepts_our_url_verification_echo_and_refuses_a_wrong_signature() {
    let mut peer = Peer::start();
    let crypto = ours();
    let echostr = crypto.encrypt("1616140317555161061").unwrap();
    let signature = crypto.sign("1409659589", "263014780", &echostr);
    let answer = peer.ask(json!({"op": "verify_url", "echostr": echostr, "msg_signature": signature, "timestamp": "1409659589", "nonce": "263014780"}));
    assert_eq!(answer["message"], "1616140317555161061", "{answer}");

    let answer = peer.ask(json!({"op": "verify_url", "echostr": echostr, "msg_signature": "0".repeat(40), "timestamp": "1409659589", "nonce": "263014780"}));
    assert!(
        answer["error"]
            .as_str()
            .unwrap_or_default()
            .contains("InvalidSignature"),
        "{answer}"
    );
}
