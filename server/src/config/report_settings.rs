//! Who sees which reports, and the commission rate they show.

use super::keys::*;
use super::source::RawValues;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSettings {
    /// WeCom userids who see every store (headquarters).
    pub hq_userids: Vec<String>,
    /// WeCom positions (职务) whose holders see their store's guides.
    pub manager_positions: Vec<String>,
    /// Commission on net credited sales, in basis points (300 = 3 %); 0 shows none.
    pub commission_bp: i64,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            hq_userids: Vec::new(),
            manager_positions: vec!["店长".into(), "店经理".into()],
            commission_bp: 0,
        }
    }
}

pub(super) fn reports(raw: &RawValues<'_>, problems: &mut Vec<String>) -> ReportSettings {
    let defaults = ReportSettings::default();
    let words = |text: String| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    ReportSettings {
        hq_userids: raw.get(&REPORT_HQ_USERIDS).map(words).unwrap_or_default(),
        manager_positions: raw
            .get(&REPORT_MANAGER_POSITIONS)
            .map(words)
            .unwrap_or(defaults.manager_positions),
        commission_bp: raw.number(&COMMISSION_BASIS_POINTS, 0, 0, 10_000, problems),
    }
}
