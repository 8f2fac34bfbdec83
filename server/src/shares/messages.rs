//! The `sendChatMessage` payloads of a share, exactly as the JS-SDK takes them: a web page
//! goes as a news card whose link is the short link (the click is counted, then redirected
//! to the stamped page); a mini-program page as a mini-program card whose page carries the
//! stamp itself (WeCom opens it without a web request we could count).

use shared::share::{ChatMessage, MiniprogramBody, NewsBody};

/// What the card says.
pub struct Card {
    pub title: String,
    pub desc: String,
    /// An http(s) picture; WeCom draws the card without one if absent.
    pub image: Option<String>,
}

/// News card with `web_link`, or mini-program card with the stamped `page` of `appid`.
pub fn card_messages(
    card: &Card,
    web_link: Option<String>,
    stamped: &str,
    appid: Option<&str>,
) -> Vec<ChatMessage> {
    let image = card.image.clone().unwrap_or_default();
    match (web_link, appid) {
        (Some(link), _) => vec![ChatMessage::News {
            news: NewsBody {
                link,
                title: clip(&card.title, 64),
                desc: clip(&card.desc, 128),
                img_url: image,
            },
        }],
        (None, Some(appid)) => vec![ChatMessage::Miniprogram {
            miniprogram: MiniprogramBody {
                appid: appid.into(),
                title: clip(&card.title, 64),
                img_url: image,
                page: stamped.into(),
            },
        }],
        // A stored mini-program page with no appid configured any more: nothing to send.
        (None, None) => Vec::new(),
    }
}

/// At most `chars` characters (WeCom cuts longer titles mid-character).
fn clip(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}
