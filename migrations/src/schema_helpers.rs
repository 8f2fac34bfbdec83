//! The statements the migrations repeat, written once: a foreign key, an index, columns added
//! or dropped one `ALTER TABLE` at a time (SQLite takes one per statement), tables dropped in
//! order.

use sea_orm_migration::prelude::*;

pub fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(on_delete)
        .to_owned()
}

pub async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: Vec<IndexColumn>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create();
    statement.name(name).table(table);
    for column in columns {
        statement.col(column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement.to_owned()).await
}

pub async fn drop_index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
) -> Result<(), DbErr> {
    manager
        .drop_index(Index::drop().name(name).table(table).to_owned())
        .await
}

/// An index column, ascending.
pub fn col(name: impl IntoIden) -> IndexColumn {
    IndexColumn::from(name.into_iden())
}

/// An index column, descending.
pub fn desc(name: impl IntoIden) -> IndexColumn {
    IndexColumn::from((name.into_iden(), IndexOrder::Desc))
}

pub async fn add_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    alter_each(manager, table, columns, |alter, column| {
        alter.add_column(column);
    })
    .await
}

pub async fn drop_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: Vec<DynIden>,
) -> Result<(), DbErr> {
    alter_each(manager, table, columns, |alter, column| {
        alter.drop_column(column);
    })
    .await
}

/// One `ALTER TABLE` per item: SQLite takes one column change per statement.
async fn alter_each<T>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    items: Vec<T>,
    change: impl Fn(&mut TableAlterStatement, T),
) -> Result<(), DbErr> {
    let table = table.into_iden();
    for item in items {
        let mut alter = Table::alter();
        alter.table(table.clone());
        change(&mut alter, item);
        manager.alter_table(alter).await?;
    }
    Ok(())
}

/// Drops the tables in the order given (dependents first).
pub async fn drop_tables(manager: &SchemaManager<'_>, tables: Vec<DynIden>) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await?;
    }
    Ok(())
}
