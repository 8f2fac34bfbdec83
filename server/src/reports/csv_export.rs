//! A report as CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads the
//! Chinese as its local code page), amounts in yuan with two decimals, written from the
//! integer fen (no floating point), the total last.

use shared::report::{Figures, Report, ReportRow};

const HEADER: [&str; 13] = [
    "编号",
    "名称",
    "分享数",
    "点击人数",
    "访问",
    "加购",
    "订单数",
    "销售额(元)",
    "退款(元)",
    "净销售额(元)",
    "提成(元)",
    "新增绑定",
    "私域占比(%)",
];

/// The lines, each a chunk of the streamed body; the first starts with the BOM.
pub fn csv_lines(report: &Report) -> Result<Vec<Vec<u8>>, csv::Error> {
    let mut lines = Vec::with_capacity(report.rows.len() + 2);
    let mut first = b"\xEF\xBB\xBF".to_vec();
    first.extend(line(HEADER.iter().map(|h| h.to_string()))?);
    lines.push(first);
    for row in &report.rows {
        lines.push(line(fields(row))?);
    }
    let total = ReportRow {
        key: String::new(),
        name: "合计".into(),
        figures: report.total.clone(),
        private_share_bp: None,
    };
    lines.push(line(fields(&total))?);
    Ok(lines)
}

fn line(fields: impl IntoIterator<Item = String>) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields)?;
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn fields(row: &ReportRow) -> Vec<String> {
    let f: &Figures = &row.figures;
    vec![
        row.key.clone(),
        row.name.clone(),
        f.shares.to_string(),
        f.clicks.to_string(),
        f.visits.to_string(),
        f.carts.to_string(),
        f.orders.to_string(),
        yuan(f.sales_fen),
        yuan(f.refunds_fen),
        yuan(f.net_fen),
        yuan(f.commission_fen),
        f.new_bindings.to_string(),
        row.private_share_bp
            .map(|bp| format!("{}.{:02}", bp / 100, bp % 100))
            .unwrap_or_default(),
    ]
}

/// 12345 → `123.45`, -5 → `-0.05`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    format!("{sign}{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_is_written_from_fen_exactly() {
        assert_eq!(yuan(12_345), "123.45");
        assert_eq!(yuan(-5), "-0.05");
        assert_eq!(yuan(0), "0.00");
    }

    #[test]
    fn the_file_starts_with_a_bom_and_ends_with_the_total() {
        let report = Report {
            by: "guides".into(),
            from: "2026-12-01".into(),
            to: "2026-12-31".into(),
            rows: vec![ReportRow {
                key: "7".into(),
                name: "王,小美".into(),
                figures: Figures {
                    sales_fen: 1_999,
                    net_fen: 1_999,
                    ..Default::default()
                },
                private_share_bp: None,
            }],
            total: Figures {
                sales_fen: 1_999,
                net_fen: 1_999,
                ..Default::default()
            },
        };
        let text = String::from_utf8(csv_lines(&report).unwrap().concat()).unwrap();
        assert!(text.starts_with("\u{feff}编号,名称"));
        assert!(text.contains("7,\"王,小美\",0,0,0,0,0,19.99,0.00,19.99,0.00,0,\n"));
        assert!(text.ends_with(",合计,0,0,0,0,0,19.99,0.00,19.99,0.00,0,\n"));
    }
}
