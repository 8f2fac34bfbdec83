// Test code: a failed step should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const NOW: i64 = 1_796_140_800; // 2026-12-01T16:00:00Z
const DAY: i64 = 86_400;
const SECRET_1: &str = "example-secret-of-at-least-32-characters";
const SECRET_2: &str = "a-second-secret-after-the-rotation-0001";

fn example() -> Stamp {
    Stamp {
        share: "Q7fK2mZ9xL4pW8rT3vN6bY1c".into(),
        recipient: Recipient::Customer("wmkVpgDwAA3m1Yc8aFVqZXnB9ChRq7tQ".into()),
        staff: "guide.li".into(),
        guide: 12,
        store: Some(3),
        issued_at: NOW,
    }
}

fn keys(list: &str) -> StampKeys {
    StampKeys::parse(list).unwrap()
}

fn verify(link: &str, keys: &StampKeys) -> Result<Stamp, StampError> {
    verify_link(link, keys, &ParamNames::default(), NOW, 90 * DAY).map(|(stamp, _)| stamp)
}

#[test]
fn the_readmes_worked_example_holds() {
    let stamp = example();
    assert_eq!(
        canonical("k1", &stamp).unwrap(),
        "GDSTAMP1\nk1\nQ7fK2mZ9xL4pW8rT3vN6bY1c\ncustomer\nwmkVpgDwAA3m1Yc8aFVqZXnB9ChRq7tQ\nguide.li\n12\n3\n1796140800"
    );
    assert_eq!(
        signature("k1", SECRET_1.as_bytes(), &stamp).unwrap(),
        "aWdKQDKzzuEzZhWsL8GyIiExi1rzO19SBeXTLeP1snc"
    );
    let link = stamp_link(
        "https://mall.example.com/coupon/claim?id=77",
        &stamp,
        &keys(&format!("k1:{SECRET_1}")),
        &ParamNames::default(),
    )
    .unwrap();
    assert_eq!(
        link,
        "https://mall.example.com/coupon/claim?id=77&gd_share=Q7fK2mZ9xL4pW8rT3vN6bY1c\
         &gd_customer=wmkVpgDwAA3m1Yc8aFVqZXnB9ChRq7tQ&gd_staff=guide.li&gd_guide=12&gd_store=3\
         &gd_at=1796140800&gd_kid=k1&gd_sig=aWdKQDKzzuEzZhWsL8GyIiExi1rzO19SBeXTLeP1snc"
    );
}

#[test]
fn a_stamped_link_verifies_and_says_what_was_stamped() {
    let keys = keys(&format!("k1:{SECRET_1}"));
    let chat = Stamp {
        recipient: Recipient::Chat("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA".into()),
        store: None,
        ..example()
    };
    for (target, stamp) in [
        ("https://mall.example.com/p/9?from=wecom#reviews", example()),
        ("pages/product/detail.html?sku=A%26B", example()),
        ("https://mall.example.com/activity", chat.clone()),
    ] {
        let link = stamp_link(target, &stamp, &keys, &ParamNames::default()).unwrap();
        assert_eq!(verify(&link, &keys).unwrap(), stamp, "{link}");
        let (base, _) = target.split_once(['?', '#']).unwrap_or((target, ""));
        assert!(link.starts_with(base), "{link}");
    }
    let kept = stamp_link(
        "https://m.example.com/p/9?from=wecom#reviews",
        &example(),
        &keys,
        &ParamNames::default(),
    )
    .unwrap();
    assert!(
        kept.contains("?from=wecom&gd_share=") && kept.ends_with("#reviews"),
        "{kept}"
    );
}

#[test]
fn an_altered_field_or_signature_is_refused_as_forged() {
    let keys = keys(&format!("k1:{SECRET_1}"));
    let link = stamp_link(
        "https://m.example.com/c",
        &example(),
        &keys,
        &ParamNames::default(),
    )
    .unwrap();
    for (from, to) in [
        ("gd_share=Q7f", "gd_share=Q8f"),
        ("gd_customer=wmk", "gd_customer=wmX"),
        ("gd_staff=guide.li", "gd_staff=guide.wang"),
        ("gd_guide=12", "gd_guide=13"),
        ("gd_store=3", "gd_store=4"),
        ("gd_at=1796140800", "gd_at=1796140801"),
        ("gd_sig=aWd", "gd_sig=bWd"),
        ("gd_customer=", "gd_chat="),
    ] {
        let altered = link.replace(from, to);
        assert_ne!(altered, link);
        assert_eq!(
            verify(&altered, &keys),
            Err(StampError::Forged),
            "{from} → {to}"
        );
    }
    let without_store = link.replace("&gd_store=3", "");
    assert_eq!(verify(&without_store, &keys), Err(StampError::Forged));
}

#[test]
fn keys_rotate_and_a_foreign_key_is_refused() {
    let old = keys(&format!("k1:{SECRET_1}"));
    let rotated = keys(&format!("k2:{SECRET_2},k1:{SECRET_1}"));
    let names = ParamNames::default();
    let before = stamp_link("https://m.example.com/c", &example(), &old, &names).unwrap();
    let after = stamp_link("https://m.example.com/c", &example(), &rotated, &names).unwrap();
    assert!(after.contains("gd_kid=k2"), "{after}");
    assert!(
        verify(&before, &rotated).is_ok(),
        "signed before the rotation"
    );
    assert!(verify(&after, &rotated).is_ok());
    let retired = keys(&format!("k2:{SECRET_2}"));
    assert_eq!(
        verify(&before, &retired),
        Err(StampError::UnknownKey("k1".into()))
    );
    // Another deployment's key of the same id: a forgery here.
    let foreign = keys("k1:another-deployments-secret-of-32-chars!!");
    let theirs = stamp_link("https://m.example.com/c", &example(), &foreign, &names).unwrap();
    assert_eq!(verify(&theirs, &old), Err(StampError::Forged));
}

#[test]
fn an_expired_or_future_stamp_is_refused() {
    let keys = keys(&format!("k1:{SECRET_1}"));
    let names = ParamNames::default();
    let link = stamp_link("https://m.example.com/c", &example(), &keys, &names).unwrap();
    assert!(verify_link(&link, &keys, &names, NOW + 90 * DAY, 90 * DAY).is_ok());
    assert_eq!(
        verify_link(&link, &keys, &names, NOW + 91 * DAY, 90 * DAY).map(|(s, _)| s),
        Err(StampError::Expired {
            age_days: 91,
            max_days: 90
        })
    );
    assert_eq!(
        verify_link(&link, &keys, &names, NOW - 3600, 90 * DAY).map(|(s, _)| s),
        Err(StampError::FromTheFuture(NOW))
    );
}

#[test]
fn missing_repeated_or_doubled_parameters_are_refused() {
    let keys = keys(&format!("k1:{SECRET_1}"));
    let link = stamp_link(
        "https://m.example.com/c",
        &example(),
        &keys,
        &ParamNames::default(),
    )
    .unwrap();
    assert_eq!(
        verify("https://m.example.com/c?id=1", &keys),
        Err(StampError::Missing("gd_customer".into()))
    );
    assert_eq!(
        verify(&link.replace("&gd_sig=", "&x="), &keys),
        Err(StampError::Missing("gd_sig".into()))
    );
    assert_eq!(
        verify(&format!("{link}&gd_guide=99"), &keys),
        Err(StampError::Repeated("gd_guide".into()))
    );
    assert_eq!(
        verify(&format!("{link}&gd_chat=wr1"), &keys),
        Err(StampError::TwoRecipients)
    );
    assert!(matches!(
        verify(&link.replace("gd_guide=12", "gd_guide=twelve"), &keys),
        Err(StampError::Malformed(..))
    ));
    let planted = stamp_link(
        "https://m.example.com/c?gd_guide=99&gd_sig=x",
        &example(),
        &keys,
        &ParamNames::default(),
    )
    .unwrap();
    assert_eq!(verify(&planted, &keys).unwrap().guide, 12, "{planted}");
}

#[test]
fn renamed_parameters_carry_the_same_signature() {
    let keys = keys(&format!("k1:{SECRET_1}"));
    let names = ParamNames::parse("share=s, customer=c, signature=sign").unwrap();
    let link = stamp_link("https://m.example.com/c", &example(), &keys, &names).unwrap();
    assert!(link.contains("?s=Q7f") && link.contains("&c=wmk"), "{link}");
    assert!(link.ends_with("&sign=aWdKQDKzzuEzZhWsL8GyIiExi1rzO19SBeXTLeP1snc"));
    assert_eq!(
        verify_link(&link, &keys, &names, NOW, 90 * DAY).unwrap().0,
        example()
    );
    assert!(
        ParamNames::parse("share=gd_staff").is_err(),
        "two fields, one name"
    );
    assert!(ParamNames::parse("colour=c").is_err());
    assert!(ParamNames::parse("share=a b").is_err());
}

#[test]
fn keys_are_checked_when_read() {
    assert_eq!(StampKeys::parse("").unwrap_err(), KeyError::Empty);
    assert_eq!(
        StampKeys::parse("k1:short").unwrap_err(),
        KeyError::ShortSecret("k1".into())
    );
    assert!(matches!(
        StampKeys::parse(&format!("bad id:{SECRET_1}")),
        Err(KeyError::BadId(_))
    ));
    assert_eq!(
        StampKeys::parse(&format!("k1:{SECRET_1},k1:{SECRET_2}")).unwrap_err(),
        KeyError::Repeated("k1".into())
    );
    let message = StampKeys::parse("k1:short").unwrap_err().to_string();
    assert!(
        !message.contains("short"),
        "the secret is not shown: {message}"
    );
    assert_eq!(
        canonical(
            "k1",
            &Stamp {
                staff: "a\nb".into(),
                ..example()
            }
        ),
        Err(StampError::LineBreak)
    );
}
