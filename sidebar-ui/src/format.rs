//! How amounts, times and the server's codes read to a guide.

use shared::customer::{Channel, Churn, SpendingLevel};

/// Fen as yuan with two decimals: `¥1,234.50`, `-¥3.00`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (n, digit) in whole.chars().enumerate() {
        if n > 0 && (whole.len() - n).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}¥{grouped}.{:02}", fen % 100)
}

/// An RFC 3339 time in the browser's own time zone: `2026-11-22 20:05`.
pub fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Only the day: `2026-11-22`.
pub fn local_day(rfc3339: &str) -> String {
    local_time(rfc3339).chars().take(10).collect()
}

pub fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::Online => "线上商城",
        Channel::Offline => "门店",
        Channel::Pos => "门店收银",
        Channel::Other => "其他",
    }
}

pub fn order_status(code: &str) -> &'static str {
    match code {
        "created" => "待付款",
        "paid" => "已付款",
        "shipped" => "已发货",
        "completed" => "已完成",
        "cancelled" => "已取消",
        "refunded" => "已退款",
        _ => "未知状态",
    }
}

pub fn shipment_status(code: &str) -> &'static str {
    match code {
        "pending" => "待揽收",
        "shipped" => "已揽收",
        "in_transit" => "运输中",
        "out_for_delivery" => "派送中",
        "delivered" => "已签收",
        "exception" => "异常",
        "returned" => "已退回",
        _ => "未知",
    }
}

pub fn churn(churn: Churn) -> &'static str {
    match churn {
        Churn::Active => "活跃",
        Churn::Cooling => "沉睡预警",
        Churn::Dormant => "沉睡",
        Churn::Churned => "已流失",
        Churn::Never => "未下单",
        Churn::Unknown => "未知",
    }
}

pub fn spending(level: SpendingLevel) -> &'static str {
    match level {
        SpendingLevel::High => "高消费",
        SpendingLevel::Medium => "中消费",
        SpendingLevel::Low => "低消费",
        SpendingLevel::Nothing => "近一年未消费",
    }
}

pub fn behaviour(kind: &str) -> &'static str {
    match kind {
        "visit" => "访问商城",
        "browse_product" => "浏览商品",
        "search" => "搜索",
        "add_to_cart" => "加入购物车",
        "claim_coupon" => "领取优惠券",
        "order" => "下单",
        "after_sale" => "售后",
        "switch_store" => "切换门店",
        "share_onward" => "转发分享",
        "open_share" => "打开导购发送的内容",
        _ => "其他",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_read_as_yuan_with_two_decimals_and_grouped_thousands() {
        for (fen, text) in [
            (0, "¥0.00"),
            (5, "¥0.05"),
            (1_999, "¥19.99"),
            (123_456, "¥1,234.56"),
            (100_000_000, "¥1,000,000.00"),
            (-300, "-¥3.00"),
        ] {
            assert_eq!(yuan(fen), text);
        }
    }
}
