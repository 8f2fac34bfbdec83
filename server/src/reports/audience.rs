//! Who reads a report, and so which rows they may see: a guide their own, a store manager
//! (a WeCom position the brand names, with a store) their store's, headquarters (userids the
//! brand names) every store's. Decided from the session, never from what the page asks.

use sea_orm::{ConnectionTrait, DbErr};

use super::figures::Reach;
use crate::commerce::staff::current_store;
use crate::config::ReportSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Guide { guide: i64 },
    Manager { guide: i64, store: i64 },
    Headquarters,
}

/// What a report is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Guides,
    Stores,
    Regions,
    Days,
}

impl Breakdown {
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "guides" => Self::Guides,
            "stores" => Self::Stores,
            "regions" => Self::Regions,
            "days" => Self::Days,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guides => "guides",
            Self::Stores => "stores",
            Self::Regions => "regions",
            Self::Days => "days",
        }
    }
}

/// The signed-in guide's audience.
pub async fn audience_of(
    db: &impl ConnectionTrait,
    settings: &ReportSettings,
    guide: i64,
    userid: &str,
    position: Option<&str>,
) -> Result<Audience, DbErr> {
    if settings.hq_userids.iter().any(|hq| hq == userid) {
        return Ok(Audience::Headquarters);
    }
    let manages = position.is_some_and(|p| settings.manager_positions.iter().any(|m| m == p));
    if manages && let Some(store) = current_store(db, userid).await? {
        return Ok(Audience::Manager { guide, store });
    }
    Ok(Audience::Guide { guide })
}

impl Audience {
    /// The rows this audience may read for `breakdown`, narrowed to `store` when asked;
    /// why not, in Chinese, when it may not.
    pub fn reach(self, breakdown: Breakdown, store: Option<i64>) -> Result<Reach, &'static str> {
        match self {
            Self::Headquarters => Ok(Reach { guide: None, store }),
            Self::Manager { store: own, .. } => {
                if breakdown == Breakdown::Regions {
                    return Err("区域报表仅总部可看");
                }
                if store.is_some_and(|asked| asked != own) {
                    return Err("只能查看本门店的报表");
                }
                Ok(Reach {
                    guide: None,
                    store: Some(own),
                })
            }
            Self::Guide { guide } => match breakdown {
                Breakdown::Guides | Breakdown::Days if store.is_none() => Ok(Reach {
                    guide: Some(guide),
                    store: None,
                }),
                Breakdown::Guides | Breakdown::Days => Err("只能查看自己的业绩"),
                Breakdown::Stores | Breakdown::Regions => Err("门店和区域报表仅店长和总部可看"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_reaches_only_its_rows() {
        let guide = Audience::Guide { guide: 7 };
        assert_eq!(
            guide.reach(Breakdown::Days, None),
            Ok(Reach {
                guide: Some(7),
                store: None
            })
        );
        assert!(guide.reach(Breakdown::Guides, Some(3)).is_err());
        assert!(guide.reach(Breakdown::Stores, None).is_err());
        let manager = Audience::Manager { guide: 7, store: 3 };
        assert_eq!(
            manager.reach(Breakdown::Guides, None),
            Ok(Reach {
                guide: None,
                store: Some(3)
            })
        );
        assert!(manager.reach(Breakdown::Guides, Some(4)).is_err());
        assert!(manager.reach(Breakdown::Regions, None).is_err());
        assert_eq!(
            Audience::Headquarters.reach(Breakdown::Regions, Some(4)),
            Ok(Reach {
                guide: None,
                store: Some(4)
            })
        );
    }
}
