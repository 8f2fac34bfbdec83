//! Reports: each guide's, store's and region's figures by day and month. The summary
//! (`report_days`) is kept up to date by the writers (`tally`): sending adds shares, the
//! click writer people who opened them, attribution the stamped visits and carts, new
//! bindings and credited sales; a report reads the summary (`figures`), never the orders.

pub mod audience;
pub mod csv_export;
pub mod figures;
pub mod my_month;
pub mod tables;
pub mod tally;
