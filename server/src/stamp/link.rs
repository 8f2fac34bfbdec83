//! A stamp on a link: added as query parameters to an http(s) URL or a mini-program page
//! path (`pages/coupon/claim.html?id=7`), and read back from one.

use std::collections::HashMap;

use super::{Recipient, Stamp, StampError, StampKeys, check, signature};

/// Stamps signed more than this far in the future are refused (clocks differ a little).
const FUTURE_SKEW_SECS: i64 = 300;

/// The query parameter names, renamable per brand (the mall may have names of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamNames {
    pub share: String,
    pub customer: String,
    pub chat: String,
    pub staff: String,
    pub guide: String,
    pub store: String,
    pub issued_at: String,
    pub key_id: String,
    pub signature: String,
}

impl Default for ParamNames {
    fn default() -> Self {
        Self {
            share: "gd_share".into(),
            customer: "gd_customer".into(),
            chat: "gd_chat".into(),
            staff: "gd_staff".into(),
            guide: "gd_guide".into(),
            store: "gd_store".into(),
            issued_at: "gd_at".into(),
            key_id: "gd_kid".into(),
            signature: "gd_sig".into(),
        }
    }
}

impl ParamNames {
    /// The default names with some renamed: `share=s,customer=c,…` (the fields are `share`,
    /// `customer`, `chat`, `staff`, `guide`, `store`, `issued_at`, `key_id`, `signature`).
    pub fn parse(renames: &str) -> Result<Self, String> {
        let mut names = Self::default();
        for pair in renames.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, name) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not field=name"))?;
            let valid = !name.is_empty()
                && name.len() <= 32
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            if !valid {
                return Err(format!(
                    "{name:?}: 1 to 32 letters, digits, '_', '-' or '.'"
                ));
            }
            *names.field_mut(field.trim())? = name.to_owned();
        }
        let all = names.all();
        if (1..all.len()).any(|i| all[..i].contains(&all[i])) {
            return Err("two fields have the same parameter name".into());
        }
        Ok(names)
    }

    fn field_mut(&mut self, field: &str) -> Result<&mut String, String> {
        Ok(match field {
            "share" => &mut self.share,
            "customer" => &mut self.customer,
            "chat" => &mut self.chat,
            "staff" => &mut self.staff,
            "guide" => &mut self.guide,
            "store" => &mut self.store,
            "issued_at" => &mut self.issued_at,
            "key_id" => &mut self.key_id,
            "signature" => &mut self.signature,
            other => return Err(format!("no stamp field {other:?}")),
        })
    }

    fn all(&self) -> [&String; 9] {
        [
            &self.share,
            &self.customer,
            &self.chat,
            &self.staff,
            &self.guide,
            &self.store,
            &self.issued_at,
            &self.key_id,
            &self.signature,
        ]
    }
}

/// `target` (an http(s) URL or a mini-program page path, with or without a query) with
/// `stamp` added, signed with the current key. Stamp parameters already in `target` are
/// replaced, so a template cannot carry a stale or planted one.
pub fn stamp_link(
    target: &str,
    stamp: &Stamp,
    keys: &StampKeys,
    names: &ParamNames,
) -> Result<String, StampError> {
    let (key_id, secret) = keys.current();
    let signature = signature(key_id, secret, stamp)?;
    let (base, query, fragment) = split(target);
    let ours = names.all();
    let mut pairs = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if !ours.iter().any(|ours| **ours == name) {
            pairs.append_pair(&name, &value);
        }
    }
    pairs.append_pair(&names.share, &stamp.share);
    match &stamp.recipient {
        Recipient::Customer(id) => pairs.append_pair(&names.customer, id),
        Recipient::Chat(id) => pairs.append_pair(&names.chat, id),
    };
    pairs.append_pair(&names.staff, &stamp.staff);
    pairs.append_pair(&names.guide, &stamp.guide.to_string());
    if let Some(store) = stamp.store {
        pairs.append_pair(&names.store, &store.to_string());
    }
    pairs.append_pair(&names.issued_at, &stamp.issued_at.to_string());
    pairs.append_pair(&names.key_id, key_id);
    pairs.append_pair(&names.signature, &signature);
    Ok(format!("{base}?{}{fragment}", pairs.finish()))
}

/// What the stamp on `link` says, if it is genuine: signed by a key this server has, not
/// altered, not older than `max_age_secs`, not from the future (`now` in unix seconds).
pub fn verify_link(
    link: &str,
    keys: &StampKeys,
    names: &ParamNames,
    now: i64,
    max_age_secs: i64,
) -> Result<(Stamp, String), StampError> {
    let (_, query, _) = split(link);
    let params = stamp_params(query, names)?;
    let text = |name: &String| params.get(name.as_str()).cloned();
    let required = |name: &String| text(name).ok_or_else(|| StampError::Missing(name.clone()));
    let number = |name: &String, value: String| {
        value
            .parse::<i64>()
            .map_err(|_| StampError::Malformed(name.clone(), "not a whole number".into()))
    };
    let recipient = match (text(&names.customer), text(&names.chat)) {
        (Some(customer), None) => Recipient::Customer(customer),
        (None, Some(chat)) => Recipient::Chat(chat),
        (Some(_), Some(_)) => return Err(StampError::TwoRecipients),
        (None, None) => return Err(StampError::Missing(names.customer.clone())),
    };
    let stamp = Stamp {
        share: required(&names.share)?,
        recipient,
        staff: required(&names.staff)?,
        guide: number(&names.guide, required(&names.guide)?)?,
        store: text(&names.store)
            .map(|store| number(&names.store, store))
            .transpose()?,
        issued_at: number(&names.issued_at, required(&names.issued_at)?)?,
    };
    let key_id = required(&names.key_id)?;
    let secret = keys
        .secret(&key_id)
        .ok_or_else(|| StampError::UnknownKey(key_id.clone()))?;
    check(&key_id, secret, &stamp, &required(&names.signature)?)?;
    if stamp.issued_at > now + FUTURE_SKEW_SECS {
        return Err(StampError::FromTheFuture(stamp.issued_at));
    }
    if now - stamp.issued_at > max_age_secs {
        return Err(StampError::Expired {
            age_days: (now - stamp.issued_at) / 86_400,
            max_days: max_age_secs / 86_400,
        });
    }
    Ok((stamp, key_id))
}

/// The stamp's parameters in `query`, each at most once.
fn stamp_params<'a>(
    query: &str,
    names: &'a ParamNames,
) -> Result<HashMap<&'a str, String>, StampError> {
    let mut found = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if let Some(ours) = names.all().into_iter().find(|ours| **ours == name)
            && found.insert(ours.as_str(), value.into_owned()).is_some()
        {
            return Err(StampError::Repeated(ours.clone()));
        }
    }
    Ok(found)
}

/// `(before ?, the query, # and after)` of a URL or a page path.
fn split(link: &str) -> (&str, &str, &str) {
    let (rest, fragment) = link
        .find('#')
        .map_or((link, ""), |at| (&link[..at], &link[at..]));
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    (base, query, fragment)
}
