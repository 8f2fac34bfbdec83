//! Reading a test database with plain SQL: what a test compares the API's answers with.

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// The first column of every row, as text.
pub async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
        .collect()
}

/// The first column of every row, as a number.
pub async fn numbers(db: &DatabaseConnection, sql: &str) -> Vec<i64> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|row| row.try_get_by_index::<i64>(0).expect("a number column"))
        .collect()
}

/// The first row's first column, as a number (0 when there is no row).
pub async fn number(db: &DatabaseConnection, sql: &str) -> i64 {
    numbers(db, sql).await.first().copied().unwrap_or_default()
}

/// Runs one statement (test set-up and clean-up).
pub async fn execute(db: &DatabaseConnection, sql: &str) {
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
}
