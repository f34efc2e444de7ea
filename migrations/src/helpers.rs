//! Small builders shared by the migrations: named foreign keys and indexes.

use sea_orm_migration::prelude::*;

/// A foreign key from `table.col` to `target.id`, named `fk_<table>_<col>`.
pub fn fk(table: &'static str, col: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{table}_{col}")).from(table, col).to(target, "id").to_owned()
}

/// The name of the index over `cols` of `table`: `ix_<table>_<cols>`.
fn index_name(table: &str, cols: &[&str]) -> String {
    format!("ix_{table}_{}", cols.join("_"))
}

/// A (possibly unique) index over `cols` of `table`, named `ix_<table>_<cols>`.
pub fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(index_name(table, cols)).table(table);
    for c in cols {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

/// Drops the index [`index`] made over `cols` of `table`, if it is there.
pub fn drop_index(table: &'static str, cols: &[&str]) -> IndexDropStatement {
    Index::drop().name(index_name(table, cols)).table(table).if_exists().to_owned()
}
