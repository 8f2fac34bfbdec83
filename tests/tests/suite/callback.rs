//! `/wecom/callback`: what WeCom sends is verified, decrypted and stored once; everything
//! else is refused with the right status and code, and nothing is stored.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use shared::ApiError;
use tests::wecom::{
    AES_KEY, CORP_ID, TOKEN, add_contact_event, crypto, encode, envelope, event_request, now,
    signed_query, spawn_callback_app,
};

#[tokio::test]
async fn url_verification_answers_the_bare_echo_of_tencents_sample() {
    // The sample is from 2014, so the replay window is switched off for it.
    let app = spawn_callback_app(vec![
        ("WECOM_CORP_ID", "wx5823bf96d3bd56c7".into()),
        ("WECOM_CALLBACK_MAX_SKEW_SECS", "0".into()),
    ])
    .await;
    let query = "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D";
    let response = app.get(&format!("/wecom/callback?{query}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    let body = response.bytes().await.unwrap();
    assert_eq!(
        &body[..],
        b"1616140317555161061",
        "no quotes, no BOM, no newline"
    );
}

#[tokio::test]
async fn url_verification_keeps_a_plus_whether_or_not_wecom_encodes_it() {
    let app = spawn_callback_app(vec![]).await;
    // Find an echostr whose base64 has a '+', the character form-decoding would break.
    let (echo, echostr) = (0..500)
        .map(|i| {
            let echo = format!("echo{i}");
            let echostr = crypto().encrypt(&echo).unwrap();
            (echo, echostr)
        })
        .find(|(_, echostr)| echostr.contains('+'))
        .unwrap();
    let timestamp = now();
    let base = signed_query(&echostr, &timestamp, "263014780");
    for raw in [
        encode(&echostr),
        echostr.replace('/', "%2F").replace('=', "%3D"),
    ] {
        let response = app
            .get(&format!("/wecom/callback?{base}&echostr={raw}"))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "echostr sent as {raw}");
        assert_eq!(response.text().await.unwrap(), echo);
    }
}

#[tokio::test]
async fn a_signed_event_is_stored_and_acknowledged_with_an_empty_200() {
    // A receive-only replica: the row stays as it was stored.
    let app = spawn_callback_app(vec![("GUIDEDESK_INBOX_WORKER", "false".into())]).await;
    let payload = add_contact_event("zhangsan", "wmCUSTOMER1", 1_700_000_000);
    let (query, body) = event_request(&payload);
    let response = app.post_callback(&query, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.bytes().await.unwrap().is_empty(), "an empty body");

    let rows = app.inbox().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].payload, payload, "the decrypted payload is stored");
    assert_eq!(
        rows[0].event_kind.as_deref(),
        Some("change_external_contact/add_external_contact")
    );
    assert_eq!(rows[0].attempts, 0);
}

#[tokio::test]
async fn the_json_envelope_is_accepted_too() {
    let app = spawn_callback_app(vec![]).await;
    let payload = add_contact_event("zhangsan", "wmJSON", 1_700_000_001);
    let encrypt = crypto().encrypt(&payload).unwrap();
    let query = signed_query(&encrypt, &now(), "42");
    let body = serde_json::json!({"tousername": CORP_ID, "encrypt": encrypt, "agentid": "1000002"});
    let response = app
        .http
        .post(app.url(&format!("/wecom/callback?{query}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.inbox().await.len(), 1);
}

#[tokio::test]
async fn the_same_delivery_three_times_gives_one_row() {
    let app = spawn_callback_app(vec![]).await;
    let payload = add_contact_event("zhangsan", "wmREPEAT", 1_700_000_002);
    // WeCom's retries re-encrypt with new random bytes and sign anew: only the payload repeats.
    for _ in 0..3 {
        let (query, body) = event_request(&payload);
        assert_eq!(
            app.post_callback(&query, body).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(app.inbox().await.len(), 1);
}

/// WeCom retries a delivery it saw no answer to; a slow answer can meet several retries in
/// flight at once. Raced for real: a multi-threaded runtime, the server's workers, 64
/// deliveries of one payload sent together.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_delivery_64_times_at_once_gives_one_row() {
    const DELIVERIES: usize = 64;
    let app = std::sync::Arc::new(spawn_callback_app(vec![]).await);
    let payload = add_contact_event("zhangsan", "wmCONCURRENT", 1_700_000_003);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(DELIVERIES));
    let deliveries: Vec<_> = (0..DELIVERIES)
        .map(|_| {
            let (app, start) = (std::sync::Arc::clone(&app), std::sync::Arc::clone(&start));
            let (query, body) = event_request(&payload);
            tokio::spawn(async move {
                start.wait().await;
                app.post_callback(&query, body).await.status()
            })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(
            delivery.await.unwrap(),
            StatusCode::OK,
            "every delivery is acknowledged"
        );
    }
    let rows = app
        .wait_for_inbox("the row applied", |rows| {
            rows.iter().all(|r| r.status == "done")
        })
        .await;
    assert_eq!(rows.len(), 1, "and stored once");
    assert_eq!(rows[0].applications, 1, "and applied once");
}

#[tokio::test]
async fn two_customers_added_in_the_same_second_give_two_rows() {
    let app = spawn_callback_app(vec![]).await;
    for customer in ["wmSAMESECOND1", "wmSAMESECOND2"] {
        let (query, body) = event_request(&add_contact_event("zhangsan", customer, 1_700_000_004));
        assert_eq!(
            app.post_callback(&query, body).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(app.inbox().await.len(), 2);
}

#[tokio::test]
async fn without_callback_settings_the_endpoint_says_it_is_not_configured() {
    let app = tests::spawn_app().await;
    let (query, body) = event_request(&add_contact_event("a", "b", 1));
    let response = app.post_callback(&query, body).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let error: ApiError = response.json().await.unwrap();
    assert_eq!(error.code, "wecom_not_configured");
}

/// One bad request: what is sent, and the status and code it must get.
struct Case {
    what: &'static str,
    method: &'static str,
    query: String,
    body: Vec<u8>,
    status: StatusCode,
    code: &'static str,
}

fn post(
    what: &'static str,
    query: String,
    body: impl Into<Vec<u8>>,
    status: StatusCode,
    code: &'static str,
) -> Case {
    Case {
        what,
        method: "POST",
        query,
        body: body.into(),
        status,
        code,
    }
}

fn get(what: &'static str, query: String, status: StatusCode, code: &'static str) -> Case {
    Case {
        what,
        method: "GET",
        query,
        body: Vec::new(),
        status,
        code,
    }
}

/// Encrypts raw plaintext bytes exactly as given (no WeCom framing, no padding added).
fn encrypt_raw(plain: &[u8], key: &[u8; 32]) -> String {
    use aes::cipher::block_padding::NoPadding;
    use aes::cipher::{BlockEncryptMut, KeyIvInit};
    let cipher = cbc::Encryptor::<aes::Aes256>::new(key.into(), key[..16].into());
    STANDARD.encode(cipher.encrypt_padded_vec_mut::<NoPadding>(plain))
}

fn malformed_requests() -> Vec<Case> {
    use StatusCode as S;
    let ts = now();
    let payload = add_contact_event("zhangsan", "wmBAD", 1_700_000_005);
    let good = crypto().encrypt(&payload).unwrap();
    let good_query = signed_query(&good, &ts, "n1");
    let signed = |encrypt: &str| (signed_query(encrypt, &ts, "n1"), envelope(encrypt));
    let key = server::wecom::crypto::decode_aes_key(AES_KEY).unwrap();
    let other_key =
        server::wecom::crypto::decode_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            .unwrap();

    let other_corp = server::wecom::crypto::CallbackCrypto::new(
        server::config::Secret::new(TOKEN),
        AES_KEY,
        "wwsomeoneelse",
    )
    .unwrap()
    .encrypt(&payload)
    .unwrap();
    let mut bad_pad = vec![0u8; 64];
    bad_pad[63] = 40;
    let bad_padding = encrypt_raw(&bad_pad, &key);
    let mut long_length = vec![0u8; 16];
    long_length.extend_from_slice(&1000u32.to_be_bytes());
    long_length.extend_from_slice(b"short");
    long_length.resize(64, 32);
    let length_beyond = encrypt_raw(&long_length, &key);
    let mut not_utf8 = vec![0u8; 16];
    not_utf8.extend_from_slice(&2u32.to_be_bytes());
    not_utf8.extend_from_slice(&[0xff, 0xfe]);
    not_utf8.extend_from_slice(CORP_ID.as_bytes());
    let pad = 32 - not_utf8.len() % 32;
    not_utf8.extend(std::iter::repeat_n(pad as u8, pad));
    let not_utf8 = encrypt_raw(&not_utf8, &key);
    let mut wrong_key_plain = vec![0u8; 64];
    wrong_key_plain[63] = 200;
    let wrong_key = encrypt_raw(&wrong_key_plain, &other_key);

    let flipped = {
        let signature = crypto().sign(&ts, "n1", &good);
        let last = if signature.ends_with('0') { '1' } else { '0' };
        format!(
            "msg_signature={}{last}&timestamp={ts}&nonce=n1",
            &signature[..39]
        )
    };
    let echo = crypto().encrypt("echo").unwrap();
    let echo_query = |echostr: &str| {
        format!(
            "{}&echostr={}",
            signed_query(echostr, &ts, "n2"),
            encode(echostr)
        )
    };
    let stale = (chrono::Utc::now().timestamp() - 360).to_string();
    let future = (chrono::Utc::now().timestamp() + 360).to_string();

    vec![
        get(
            "GET without msg_signature",
            format!("timestamp={ts}&nonce=n&echostr=x"),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        get(
            "GET without timestamp",
            "msg_signature=a&nonce=n&echostr=x".into(),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        get(
            "GET without nonce",
            format!("msg_signature=a&timestamp={ts}&echostr=x"),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        get(
            "GET without echostr",
            format!("msg_signature=a&timestamp={ts}&nonce=n"),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        get(
            "GET with a wrong signature",
            format!(
                "msg_signature={}&timestamp={ts}&nonce=n2&echostr={}",
                "0".repeat(40),
                encode(&echo)
            ),
            S::UNAUTHORIZED,
            "-40001",
        ),
        get(
            "GET with a signed echostr that is not base64",
            echo_query("not*base64"),
            S::BAD_REQUEST,
            "-40010",
        ),
        get(
            "GET with an echostr for another corp",
            echo_query(&other_corp),
            S::FORBIDDEN,
            "-40005",
        ),
        get(
            "GET with a timestamp that is not a number",
            "msg_signature=a&timestamp=yesterday&nonce=n&echostr=x".into(),
            S::BAD_REQUEST,
            "invalid_timestamp",
        ),
        get(
            "GET with a stale timestamp",
            format!(
                "{}&echostr={}",
                signed_query(&echo, &stale, "n2"),
                encode(&echo)
            ),
            S::UNAUTHORIZED,
            "stale_timestamp",
        ),
        post(
            "POST without any parameter",
            String::new(),
            envelope(&good),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        post(
            "POST without msg_signature",
            format!("timestamp={ts}&nonce=n1"),
            envelope(&good),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        post(
            "POST without timestamp",
            "msg_signature=abc&nonce=n1".into(),
            envelope(&good),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        post(
            "POST without nonce",
            format!("msg_signature=abc&timestamp={ts}"),
            envelope(&good),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        post(
            "POST with an empty msg_signature",
            format!("msg_signature=&timestamp={ts}&nonce=n1"),
            envelope(&good),
            S::BAD_REQUEST,
            "missing_parameter",
        ),
        post(
            "POST with one signature digit flipped",
            flipped,
            envelope(&good),
            S::UNAUTHORIZED,
            "-40001",
        ),
        post(
            "POST signed for another nonce",
            good_query.replace("nonce=n1", "nonce=n9"),
            envelope(&good),
            S::UNAUTHORIZED,
            "-40001",
        ),
        post(
            "POST whose body is not the signed one",
            good_query.clone(),
            envelope(&crypto().encrypt(&payload).unwrap()),
            S::UNAUTHORIZED,
            "-40001",
        ),
        post(
            "POST with a percent-garbage signature",
            format!("msg_signature=%ZZ%ZZ&timestamp={ts}&nonce=n1"),
            envelope(&good),
            S::UNAUTHORIZED,
            "-40001",
        ),
        post(
            "POST with a plain-text body",
            good_query.clone(),
            "hello",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with an empty body",
            good_query.clone(),
            "",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with XML but no Encrypt",
            good_query.clone(),
            "<xml><ToUserName>a</ToUserName></xml>",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with an empty Encrypt",
            good_query.clone(),
            "<xml><Encrypt></Encrypt></xml>",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with unclosed XML",
            good_query.clone(),
            format!("<xml><Encrypt>{good}</Encrypt>"),
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with JSON without encrypt",
            good_query.clone(),
            "{\"tousername\":\"x\"}",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with broken JSON",
            good_query.clone(),
            "{\"encrypt\":",
            S::BAD_REQUEST,
            "-40002",
        ),
        post(
            "POST with a body that is not UTF-8",
            good_query.clone(),
            vec![0xff, 0xfe, b'<', 0x80],
            S::BAD_REQUEST,
            "-40002",
        ),
        {
            let (q, b) = signed("@@notbase64@@");
            post(
                "POST with a signed Encrypt that is not base64",
                q,
                b,
                S::BAD_REQUEST,
                "-40010",
            )
        },
        {
            let (q, b) = signed(&STANDARD.encode([7u8; 20]));
            post(
                "POST with a truncated ciphertext",
                q,
                b,
                S::BAD_REQUEST,
                "-40007",
            )
        },
        {
            let (q, b) = signed(&bad_padding);
            post(
                "POST whose padding byte is 40",
                q,
                b,
                S::BAD_REQUEST,
                "-40008",
            )
        },
        {
            let (q, b) = signed(&length_beyond);
            post(
                "POST whose length field runs past the buffer",
                q,
                b,
                S::BAD_REQUEST,
                "-40008",
            )
        },
        {
            let (q, b) = signed(&not_utf8);
            post(
                "POST whose message is not UTF-8",
                q,
                b,
                S::BAD_REQUEST,
                "-40008",
            )
        },
        {
            let (q, b) = signed(&wrong_key);
            post(
                "POST encrypted with another EncodingAESKey",
                q,
                b,
                S::BAD_REQUEST,
                "-40008",
            )
        },
        {
            let (q, b) = signed(&other_corp);
            post(
                "POST addressed to another corp",
                q,
                b,
                S::FORBIDDEN,
                "-40005",
            )
        },
        post(
            "POST with a stale timestamp",
            signed_query(&good, &stale, "n1"),
            envelope(&good),
            S::UNAUTHORIZED,
            "stale_timestamp",
        ),
        post(
            "POST from too far in the future",
            signed_query(&good, &future, "n1"),
            envelope(&good),
            S::UNAUTHORIZED,
            "stale_timestamp",
        ),
        post(
            "POST with a timestamp that is not a number",
            "msg_signature=a&timestamp=12ab&nonce=n1".into(),
            envelope(&good),
            S::BAD_REQUEST,
            "invalid_timestamp",
        ),
        post(
            "POST over 64 KiB",
            good_query.clone(),
            vec![b'<'; 64 * 1024 + 1],
            S::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ]
}

#[tokio::test]
async fn malformed_and_tampered_requests_get_their_status_and_code_and_store_nothing() {
    let app = spawn_callback_app(vec![]).await;
    let cases = malformed_requests();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in cases {
        let url = app.url(&format!("/wecom/callback?{}", case.query));
        let request = match case.method {
            "GET" => app.http.get(url),
            _ => app
                .http
                .post(url)
                .header("content-type", "text/xml")
                .body(case.body),
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, case.status, "{}: {text}", case.what);
        let error: ApiError =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", case.what));
        assert_eq!(error.code, case.code, "{}: {text}", case.what);
        for secret in [TOKEN, AES_KEY] {
            assert!(
                !text.contains(secret),
                "{}: the answer echoes a secret",
                case.what
            );
        }
    }
    assert!(app.inbox().await.is_empty(), "nothing refused is stored");
}
