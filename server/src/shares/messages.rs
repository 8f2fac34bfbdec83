//! The `sendChatMessage` payloads of a share, exactly as the JS-SDK takes them, in order. A
//! web page goes as a news card whose link is the short link (the click is counted, then
//! redirected to the stamped page); a mini-program page as a mini-program card whose page
//! carries the stamp itself (WeCom opens it without a web request we could count); a
//! script's text as text; an image or file by its WeCom media id.

use shared::share::{ChatMessage, MediaBody, MiniprogramBody, NewsBody, TextBody};

/// One message of a share, before the links are known.
#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Image(String),
    File(String),
    Card(Card),
}

/// What a card says.
#[derive(Debug, Clone)]
pub struct Card {
    pub title: String,
    pub desc: String,
    /// An http(s) picture; WeCom draws the card without one if absent.
    pub image: Option<String>,
    /// The mini-program the card opens, when the target is a mini-program page.
    pub appid: Option<String>,
}

/// The payloads: cards as news with `web_link`, or as mini-program cards with the
/// `stamped` page.
pub fn chat_messages(pieces: &[Piece], web_link: Option<&str>, stamped: &str) -> Vec<ChatMessage> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Text(content) => Some(ChatMessage::Text {
                text: TextBody {
                    content: content.clone(),
                },
            }),
            Piece::Image(mediaid) => Some(ChatMessage::Image {
                image: MediaBody {
                    mediaid: mediaid.clone(),
                },
            }),
            Piece::File(mediaid) => Some(ChatMessage::File {
                file: MediaBody {
                    mediaid: mediaid.clone(),
                },
            }),
            Piece::Card(card) => card_message(card, web_link, stamped),
        })
        .collect()
}

fn card_message(card: &Card, web_link: Option<&str>, stamped: &str) -> Option<ChatMessage> {
    let img_url = card.image.clone().unwrap_or_default();
    match (web_link, &card.appid) {
        (Some(link), _) => Some(ChatMessage::News {
            news: NewsBody {
                link: link.to_owned(),
                title: clip(&card.title, 64),
                desc: clip(&card.desc, 128),
                img_url,
            },
        }),
        (None, Some(appid)) => Some(ChatMessage::Miniprogram {
            miniprogram: MiniprogramBody {
                appid: appid.clone(),
                title: clip(&card.title, 64),
                img_url,
                page: stamped.to_owned(),
            },
        }),
        // A mini-program page with no appid: refused before the share was made.
        (None, None) => None,
    }
}

/// At most `chars` characters (WeCom cuts longer titles mid-character).
fn clip(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}
