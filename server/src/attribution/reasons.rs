//! Why a ledger row credits whom, in the words a guide reads (为什么算给我 / 为什么不算给我).

use crate::wire::china_day;

use super::credit::{CreditRow, Why};

/// The row's reason, stored with it.
pub fn why_text(row: &CreditRow) -> String {
    let reason = match &row.why {
        Why::Binding { source, since } => format!(
            "客户的专属导购（{} 起，{}），按专属导购规则计入",
            china_day(*since),
            binding_source(source)
        ),
        Why::LastShare { days } => {
            format!("客户在付款前 {days} 天内打开了导购发送的分享，按最近分享规则计入")
        }
        Why::Store { home: false } => "客户没有可计入的专属导购或导购分享，计入下单门店".into(),
        Why::Store { home: true } => {
            "客户没有可计入的专属导购或导购分享，订单未指定门店，计入客户的所属门店".into()
        }
        Why::Nobody => "客户没有专属导购、导购分享或门店可计入，暂不计入任何人".into(),
    };
    if row.entry == "reversal" {
        format!("退款冲回：{reason}")
    } else {
        reason
    }
}

/// How a binding was made, in words.
pub fn binding_source(source: &str) -> &'static str {
    match source {
        "wecom_add" => "首次添加企业微信",
        "stamped_touch" => "首次打开导购分享",
        "purchase" => "首次通过导购分享下单",
        "transfer" => "离职继承",
        _ => "手动指定",
    }
}
